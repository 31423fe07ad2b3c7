// Completion from the model and the dataset: tensor names (with dtype and shape) inside a hook's
// string, G nodes after `->`, I nodes and input parts after `<-`, dataset fields, builtins and
// the node's I-parents in features; Langium's grammar-driven keywords everywhere else.
import { inertEdge } from '../../engine/graph/perturb-queries.js';
import { AstUtils, CstUtils, type Cancellation, type LangiumDocument } from 'langium';
import { DefaultCompletionProvider, type CompletionProviderOptions } from 'langium/lsp';
import { CompletionItemKind, CompletionList, type CompletionItem, type CompletionParams } from 'vscode-languageserver';
import { BUILTINS } from '../../engine/features/builtins.js';
import { describeFieldType } from '../../engine/dataset/dataset.js';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { parentName, resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import { ABLATION_MODES, UNIMPORTANT_MODES } from '../validation/option-checks.js';
import type { DocumentAnalysis, HypDocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { completionSiteAt, type SiteAt } from './completion-context.js';
import { tensorDetail } from './describe.js';

const EXPRESSION_KEYWORDS = ['and', 'or', 'not', 'if', 'else', 'true', 'false'];
const METRICS = ['cross_entropy', 'accuracy', 'logit_diff', 'kl'];

interface Candidate {
    label: string;
    kind: CompletionItemKind;
    detail?: string;
    documentation?: string;
    /** Items that are valid here sort before those that would be an error. */
    rank?: number;
}

export class HypCompletionProvider extends DefaultCompletionProvider {
    private readonly analysis: HypDocumentAnalysis;

    constructor(services: HypServices) {
        super(services);
        this.analysis = services.workspace.HypDocumentAnalysis;
    }

    override readonly completionOptions: CompletionProviderOptions = { triggerCharacters: ['"', "'", '.', '>', '-', '/'] };

    override async getCompletion(document: LangiumDocument, requested: CompletionParams, token?: Cancellation.CancellationToken): Promise<CompletionList | undefined> {
        // A position past the end of a line or of the file (clients send them) is read as the
        // nearest one in the text, so that no item's range reaches beyond the file.
        const offset = document.textDocument.offsetAt(requested.position);
        const params = { ...requested, position: document.textDocument.positionAt(offset) };
        const at = completionSiteAt(document.textDocument.getText(), offset);
        const candidates = at && this.candidates(document, at, offset);
        if (!at || !candidates) return super.getCompletion(document, params, token);
        const range = { start: document.textDocument.positionAt(at.start), end: document.textDocument.positionAt(at.end) };
        const items: CompletionItem[] = candidates
            .filter(c => at.typed === '' || this.fuzzyMatcher.match(at.typed, c.label))
            .map(c => ({
                label: c.label, kind: c.kind, detail: c.detail,
                ...(c.documentation && { documentation: { kind: 'markdown', value: c.documentation } }),
                filterText: c.label,
                sortText: `${c.rank ?? 0}${c.label}`,
                textEdit: { range, newText: c.label },
            }));
        return CompletionList.create(items, false);
    }

    /** What may be written at the site (undefined: not ours, let the grammar answer). */
    private candidates(document: LangiumDocument, at: SiteAt, offset: number): Candidate[] | undefined {
        const analysis = this.analysis.analyze(document);
        const node = nodeAt(document, offset);
        switch (at.site.kind) {
            case 'tensor': return tensors(analysis);
            case 'onnx-input': {
                if (!at.site.quoted && !AstUtils.getContainerOfType(node, ast.isDatasetDecl)) return undefined;
                const model = analysis.modelGraph;
                return model ? model.inputs.map(name => ({ label: name, kind: CompletionItemKind.Variable, detail: tensorDetail(model.tensors.get(name)!) })) : [];
            }
            case 'graph-node': return graphNodes(analysis);
            case 'parent': {
                const owner = AstUtils.getContainerOfType(node, (n): n is ast.InterpNode | ast.OutputStatement => ast.isInterpNode(n) || ast.isOutputStatement(n))
                    ?? previousOwner(document, offset);
                return owner ? parents(owner, analysis) : undefined;
            }
            case 'feature': {
                const interp = AstUtils.getContainerOfType(node, ast.isInterpNode) ?? previousInterpNode(document, offset);
                return [...(interp ? featureParents(interp) : []), ...fields(analysis), ...functions(analysis), ...keywords()];
            }
            case 'binding': return [...fields(analysis), ...functions(analysis), ...keywords()];
            case 'field': return fields(analysis);
            case 'choice': {
                const words = at.site.keyword === 'metric' ? METRICS : at.site.keyword === 'unimportant' ? UNIMPORTANT_MODES : ABLATION_MODES;
                return words.map(label => ({ label, kind: CompletionItemKind.EnumMember }));
            }
            case 'split-source': return splitSources(analysis);
        }
    }
}

function tensors(analysis: DocumentAnalysis): Candidate[] {
    const model = analysis.modelGraph;
    if (!model) return [];
    // Only computed tensors can be hook points: weights, inputs, the output and (once the probe has
    // run) tensors without the batch axis are errors there.
    // Graph outputs after the first are intermediates a user exported by name: hook points too.
    return [...model.tensors.values()].filter(t => (t.kind === 'intermediate' || (t.kind === 'output' && t.name !== model.outputs[0])) && t.perExample !== false)
        .map(t => ({ label: t.name, kind: CompletionItemKind.Value, detail: tensorDetail(t) }));
}

/** Hook points split by indices or a predicate: what a rewrite through a map can name as its source. */
function splitSources(analysis: DocumentAnalysis): Candidate[] {
    return analysis.graphSpec.hooks.filter(h => h.split !== undefined)
        .map(h => ({ label: h.name, kind: CompletionItemKind.Class, detail: `"${h.tensor}" split into ${h.split!.parts.map(p => p.name).join(', ')}` }));
}

function graphNodes(analysis: DocumentAnalysis): Candidate[] {
    const g = analysis.derived?.g;
    const tensors = analysis.modelGraph?.tensors;
    return [...analysis.graphNodes].filter(n => n !== 'output' && n !== 'input' && !n.startsWith('input.')).map(name => {
        const tensor = g?.nodes.get(name)?.tensors[0]?.tensor;
        const info = tensor !== undefined ? tensors?.get(tensor) : undefined;
        return { label: name, kind: CompletionItemKind.Class, detail: info ? `"${info.name}" ${tensorDetail(info)}` : 'G node' };
    });
}

function parents(owner: ast.InterpNode | ast.OutputStatement, analysis: DocumentAnalysis): Candidate[] {
    const h = AstUtils.getContainerOfType(owner, ast.isHypothesis);
    if (!h) return [];
    const child = ast.isInterpNode(owner) ? owner.target : 'output';
    const g = analysis.derived?.g;
    const listed = new Set(owner.parents.map(parentName));
    const evidence = analysis.numericEvidence?.();
    // G-parents first, those no perturbation moved (graph/perturb-queries.ts) after them with the rest.
    const inert = (target: string) => inertEdge(evidence, child, target);
    const rank = (target: string) => (g?.nodes.has(child) && g.nodes.has(target) ? (g.partParents(child).includes(target) && !inert(target) ? 0 : 1) : 0);
    const edge = (target: string) => {
        const trials = inert(target)?.trials;
        if (trials !== undefined && g?.partParents(child).includes(target)) return `${target} -> ${child} (numerically inert: never moved ${child} in ${trials} trials)`;
        return rank(target) === 0 ? `${target} -> ${child}` : `${target} -> ${child} is not a G-edge`;
    };
    const nodes = [...resolveHypothesis(h).nodes.values()].filter(n => n !== owner && !listed.has(n.name))
        .map(n => ({ label: n.name, kind: CompletionItemKind.Variable, detail: `I node · ${edge(n.target)}`, rank: rank(n.target) }));
    const inputs = [...analysis.graphNodes].filter(n => (n === 'input' || n.startsWith('input.')) && !listed.has(n))
        .map(n => ({ label: n, kind: CompletionItemKind.Class, detail: `input part · ${edge(n)}`, rank: rank(n) }));
    return [...nodes, ...inputs];
}

function featureParents(node: ast.InterpNode): Candidate[] {
    return node.parents.map(p => ({ label: parentName(p), kind: CompletionItemKind.Variable, detail: ast.isInputParentRef(p) ? 'I-parent (input part: its raw values)' : 'I-parent (its feature value)' }));
}

function fields(analysis: DocumentAnalysis): Candidate[] {
    const dataset = analysis.dataset?.loaded;
    if (!dataset?.ok) return [];
    return dataset.value.fields.map(f => ({
        label: f.name, kind: CompletionItemKind.Field, detail: `field: ${describeFieldType(f.type)}`,
        documentation: `example (row 1): \`${JSON.stringify(f.example).slice(0, 80)}\``, rank: 1,
    }));
}

function functions(analysis: DocumentAnalysis): Candidate[] {
    const builtins = [...BUILTINS.values()].map(b => ({ label: b.name, kind: CompletionItemKind.Function, detail: b.signature, documentation: b.doc, rank: 2 }));
    const own = [...analysis.functionNames].map(name => ({ label: name, kind: CompletionItemKind.Function, detail: 'features module', rank: 2 }));
    return [...builtins, ...own];
}

function keywords(): Candidate[] {
    return EXPRESSION_KEYWORDS.map(label => ({ label, kind: CompletionItemKind.Keyword, rank: 3 }));
}

/** The AST node at an offset (the one just before it when the offset is at a token's end). */
function nodeAt(document: LangiumDocument, offset: number): ast.HypFile | ast.HypothesisMember | undefined {
    const root = document.parseResult.value.$cstNode;
    const leaf = root && (CstUtils.findLeafNodeAtOffset(root, offset) ?? CstUtils.findLeafNodeBeforeOffset(root, offset));
    return leaf?.astNode as ast.HypothesisMember | undefined;
}

/** While a line is being typed the parser may not attach it to a node: take the last node starting before the offset. */
function previousOwner(document: LangiumDocument, offset: number): ast.InterpNode | ast.OutputStatement | undefined {
    const file = document.parseResult.value as ast.HypFile;
    let found: ast.InterpNode | ast.OutputStatement | undefined;
    for (const n of AstUtils.streamAst(file)) {
        if ((ast.isInterpNode(n) || ast.isOutputStatement(n)) && n.$cstNode && n.$cstNode.offset < offset) found = n;
    }
    return found;
}

function previousInterpNode(document: LangiumDocument, offset: number): ast.InterpNode | undefined {
    const owner = previousOwner(document, offset);
    return ast.isInterpNode(owner) ? owner : undefined;
}
