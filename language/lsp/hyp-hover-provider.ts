// Hovers: a G node's tensor, type, producer and G-parents; an I node's feature agreement counts
// over the dataset and which G-parents of its G node it claims or leaves to be resampled; a
// builtin's signature; a dataset field's type and example. DESIGN.md §5.
import { inertEdge } from '../../engine/graph/perturb-queries.js';
import { AstUtils, CstUtils, interruptAndCheck, type Cancellation, type LangiumDocument } from 'langium';
import type { HoverProvider } from 'langium/lsp';
import type { Hover, HoverParams } from 'vscode-languageserver';
import { BUILTINS } from '../../engine/features/builtins.js';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { parentName, resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import type { HypSymbol, HypSymbols } from '../scoping/hyp-symbols.js';
import type { DocumentAnalysis, HypDocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { hypothesisFeatureValues } from '../workspace/feature-values.js';
import { describePlanResult, hypothesisPlanSize } from '../workspace/plan-size.js';
import { agreementCounts, describeAgreement, describeField, describeGraphNode, describeTensor } from './describe.js';

export class HypHoverProvider implements HoverProvider {
    private readonly symbols: HypSymbols;
    private readonly analysis: HypDocumentAnalysis;

    constructor(services: HypServices) {
        this.symbols = services.references.HypSymbols;
        this.analysis = services.workspace.HypDocumentAnalysis;
    }

    async getHoverContent(document: LangiumDocument, params: HoverParams, token?: Cancellation.CancellationToken): Promise<Hover | undefined> {
        const offset = document.textDocument.offsetAt(params.position);
        const analysis = this.analysis.analyze(document);
        const tensor = this.tensorStringAt(document, offset, analysis);
        if (tensor) return tensor;
        const at = this.symbols.symbolAt(document, offset);
        if (!at) return undefined;
        const lines = await this.describe(at.symbol, analysis, token);
        return lines && lines.length > 0 ? { contents: { kind: 'markdown', value: lines.join('\n\n') }, range: at.range } : undefined;
    }

    /** `node A = "tensor"`: the tensor string itself. */
    private tensorStringAt(document: LangiumDocument, offset: number, analysis: DocumentAnalysis): Hover | undefined {
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, offset);
        const hook = leaf?.astNode;
        if (!leaf || !ast.isHookPoint(hook) || leaf.tokenType.name !== 'STRING') return undefined;
        const info = analysis.modelGraph?.tensors.get(hook.tensor);
        if (!info) return undefined;
        return { contents: { kind: 'markdown', value: describeTensor(info).join('\n\n') }, range: leaf.range };
    }

    private async describe(symbol: HypSymbol, analysis: DocumentAnalysis, token?: Cancellation.CancellationToken): Promise<string[] | undefined> {
        switch (symbol.kind) {
            case 'graph': {
                const g = analysis.derived?.g;
                const node = g?.nodes.get(symbol.name);
                const model = analysis.modelGraph;
                if (!g || !node || !model) return [`**G node \`${symbol.name}\`**${analysis.model?.loaded?.ok === false ? ' (the model is not loaded)' : ''}`];
                return describeGraphNode(node, g, model.tensors);
            }
            case 'interp':
                return symbol.declaration && this.describeInterpNode(symbol.declaration, analysis, token);
            case 'function': {
                const builtin = BUILTINS.get(symbol.name);
                if (builtin) return [`\`${builtin.signature}\``, builtin.doc];
                if (analysis.functionNames.has(symbol.name)) return [`\`${symbol.name}(…)\`: a function of the features module \`${analysis.features?.decl.path}\` (result type \`any\`)`];
                return undefined;
            }
            case 'field': {
                const dataset = analysis.dataset?.loaded;
                const field = dataset?.ok ? dataset.value.fields.find(f => f.name === symbol.name) : undefined;
                return field && [describeField(field)];
            }
            case 'hypothesis': {
                const h = symbol.declaration;
                if (!h) return undefined;
                const resolved = resolveHypothesis(h);
                const bases = resolved.chain.slice(1).map(b => b.name);
                const plan = await hypothesisPlanSize(analysis, h, token);
                return [
                    `**hypothesis \`${h.name}\`**${bases.length > 0 ? ` extends ${bases.join(' → ')}` : ''}: ${resolved.nodes.size} I node${resolved.nodes.size === 1 ? '' : 's'}`,
                    describePlanResult(plan),
                ];
            }
        }
    }

    private async describeInterpNode(node: ast.InterpNode, analysis: DocumentAnalysis, token?: Cancellation.CancellationToken): Promise<string[]> {
        const feature = node.feature?.$cstNode?.text;
        const lines = [`**I node \`${node.name}\`** → G node \`${node.target}\`${feature ? ` · feature \`${feature}\`` : ''}`];
        const h = node.$container;
        if (!node.feature) {
            lines.push('No feature: computed on the same example as its child.');
        } else {
            const table = await hypothesisFeatureValues(analysis, h, token);
            if (token) await interruptAndCheck(token);
            const result = table?.get(node.name);
            if (!analysis.dataset?.loaded?.ok) lines.push('Agreement counts need the dataset, which is not loaded.');
            else if (!result) lines.push('Agreement counts are not available: the feature has errors.');
            else if ('skipped' in result) lines.push(`Agreement counts are not available: ${result.skipped}.`);
            else if ('error' in result) lines.push(result.error);
            else lines.push(...describeAgreement(agreementCounts(result.values)));
        }
        lines.push(...this.claims(node, analysis));
        return lines;
    }

    /** Which G-parents of the node's G node its I-parents claim, and which are resampled as unimportant. */
    private claims(node: ast.InterpNode, analysis: DocumentAnalysis): string[] {
        const g = analysis.derived?.g;
        if (!g?.nodes.has(node.target)) return [];
        const nodes = resolveHypothesis(AstUtils.getContainerOfType(node, ast.isHypothesis)!).nodes;
        const claimed = new Set(node.parents.map(p => ast.isInputParentRef(p) ? parentName(p) : nodes.get(parentName(p))?.target)
            .filter((t): t is string => t !== undefined));
        const parents = g.partParents(node.target);
        const list = (xs: readonly string[]) => (xs.length > 0 ? xs.map(x => `\`${x}\``).join(', ') : 'none');
        const lines = [
            `G-parents of \`${node.target}\` claimed: ${list(parents.filter(p => claimed.has(p)))}; resampled as unimportant: ${list(parents.filter(p => !claimed.has(p)))}`,
        ];
        // Edges only an over-approximating rule put in G and that no perturbation moved (graph/perturb-queries.ts).
        const evidence = analysis.numericEvidence?.();
        const inert = parents.filter(p => inertEdge(evidence, node.target, p) !== undefined);
        if (inert.length > 0) lines.push(`Numerically inert (perturbing them on dataset rows never moved \`${node.target}\`; sampling cannot prove them absent): ${list(inert)}`);
        return lines;
    }
}
