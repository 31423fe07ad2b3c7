// "Show model graph": the G nodes of a document (hook points with tensor, shape, producing op and
// G-parents) and, for one hypothesis, its correspondence — what the user needs to see which
// G-parents a claim leaves to be resampled.
import type { LangiumDocument } from 'langium';
import { inertEdge } from '../../engine/graph/perturb-queries.js';
import type { Expr } from '../../engine/spec.js';
import type { GraphView } from '../../language/communication/rpc.js';
import type { HypServices } from '../../language/hyp-module.js';

/** The graph view of a document, with `hypothesis`'s mapping when it lowers. */
export function graphView(Hyp: HypServices, document: LangiumDocument, hypothesis?: string): GraphView {
    const analysis = Hyp.workspace.HypDocumentAnalysis.analyze(document);
    const model = analysis.model?.loaded;
    const modelPath = model?.ok ? model.value.path : analysis.model?.decl.path ?? '';
    const derived = analysis.derived;
    if (!model?.ok || !derived) return { modelPath, nodes: [], problem: model && !model.ok ? model.error : 'the file declares no model, or it has not loaded yet' };
    const nodes = [...derived.g.nodes.values()].map(n => {
        const t = n.tensors[0];
        // The graph G was derived on: a part of a rewritten hook is a tensor the rewrite added.
        const info = t ? derived.graph.tensors.get(t.tensor) : undefined;
        return {
            name: n.name,
            tensor: n.tensors.map(x => x.tensor).join(', '),
            shape: info?.shape ? `[${info.shape.join(', ')}]` : '?',
            op: n.rewrite !== undefined ? `part of a sum: ${n.rewrite}` : info?.producer?.op ?? (n.kind === 'input' ? 'graph input' : ''),
            parents: n.kind === 'input' ? [] : [...derived.g.partParents(n.name)],
        };
    });
    const view: GraphView = { modelPath, nodes };
    if (hypothesis) {
        try {
            const h = Hyp.lowering.HypLowering.lower(document).hypotheses.find(x => x.name === hypothesis);
            if (h) {
                // What the numeric pass the edge checks started found, once it has ended (never a run of its own).
                const numeric = analysis.numericEvidence?.(false);
                const gOf = new Map(h.nodes.map(n => [n.name, n.graphNode]));
                view.hypothesis = {
                    name: h.name,
                    mapping: h.nodes.map(n => {
                        const inert = Object.fromEntries(n.parents.flatMap(p => {
                            const e = inertEdge(numeric, n.graphNode, gOf.get(p) ?? p);
                            return e ? [[p, e.trials]] : [];
                        }));
                        return { interpNode: n.name, graphNode: n.graphNode, feature: n.feature ? exprText(n.feature) : '—', parents: n.parents,
                            ...(Object.keys(inert).length > 0 && { inert }) };
                    }),
                };
            }
        } catch (e) {
            view.problem = `the hypothesis does not lower: ${(e as Error).message}`;
        }
    }
    return view;
}

/** A compact rendering of a lowered feature expression (the view needs a hint, not the source). */
export function exprText(e: Expr): string {
    switch (e.kind) {
        case 'number': return String(e.value);
        case 'string': return JSON.stringify(e.value);
        case 'boolean': return String(e.value);
        case 'list': return `[${e.items.map(exprText).join(', ')}]`;
        case 'ref': return e.name;
        case 'unary': return e.op === 'not' ? `not ${exprText(e.arg)}` : `-${exprText(e.arg)}`;
        case 'binary': return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
        case 'conditional': return `${exprText(e.then)} if ${exprText(e.test)} else ${exprText(e.else)}`;
        case 'index': return `${exprText(e.target)}[${exprText(e.index)}]`;
        case 'slice': return `${exprText(e.target)}[${e.start ? exprText(e.start) : ''}:${e.end ? exprText(e.end) : ''}]`;
        case 'call': return `${e.callee}(${e.args.map(exprText).join(', ')})`;
        case 'lambda': return `${e.params.join(', ')} => ${exprText(e.body)}`;
    }
}
