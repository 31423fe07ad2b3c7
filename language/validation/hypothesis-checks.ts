// The hypothesis h = (G, I, c) itself (DESIGN.md §2.2): c maps I nodes to existing G nodes,
// injectively, never to the output; every I-edge is a G-edge; one output; no cycles in I or in
// `extends`.
import { AstUtils, type ValidationAcceptor } from 'langium';
import { closestName } from '../../engine/graph/did-you-mean.js';
import { inertEdge } from '../../engine/graph/perturb-queries.js';
import * as ast from '../generated/ast.js';
import { parentName, resolveHypothesis, type ResolvedHypothesis } from '../lowering/resolve-hypothesis.js';
import { graphNodeDeclaration } from '../scoping/hyp-symbols.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { IssueCodes } from './issue-codes.js';
import { related, relatedAt } from './related-information.js';

/** Exactly one output statement (a hypothesis that extends another may inherit it). */
export function checkOutput(h: ast.Hypothesis, resolved: ResolvedHypothesis, accept: ValidationAcceptor): void {
    const own = h.members.filter(ast.isOutputStatement);
    for (const extra of own.slice(1)) {
        accept('error', 'a hypothesis has one output statement; merge the parents into the first', { node: extra, keyword: 'output', code: IssueCodes.OutputDuplicate });
    }
    if (resolved.outputs.length === 0) {
        accept('error', `hypothesis ${h.name} has no output statement: add \`output <- <node>\` (or \`output\` alone: nothing matters)`,
            { node: h, property: 'name', code: IssueCodes.OutputMissing });
    }
}

/** `extends` must not come back to the hypothesis. */
export function checkExtendsCycle(h: ast.Hypothesis, resolved: ResolvedHypothesis, accept: ValidationAcceptor): void {
    if (!resolved.cyclic || !h.base) return;
    const path = [...resolved.chain.map(x => x.name), resolved.chain[resolved.chain.length - 1].base?.ref?.name].join(' extends ');
    accept('error', `extends cycle: ${path}`, { node: h, property: 'base', code: IssueCodes.ExtendsCycle });
}

/** The G node of an I node exists, and is not the output. */
export function checkTarget(node: ast.InterpNode, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    // `node x -` while typing: the syntax error says what is missing.
    if (node.target === undefined) return;
    if (node.target === 'output') {
        accept('error', 'the output is mapped by the `output <- …` statement; an I node cannot correspond to it',
            { node, property: 'target', code: IssueCodes.GraphNodeOutput });
        return;
    }
    if (analysis.graphNodes.has(node.target)) return;
    const empty = emptyRest(node.target, analysis);
    if (empty !== undefined) {
        accept('error', empty, { node, property: 'target', code: IssueCodes.SplitInvalid });
        return;
    }
    const parts = [...analysis.graphNodes].filter(n => n.startsWith(`${node.target}.`));
    if (parts.length > 0) {
        accept('error', `${node.target} is split: map the node to one of its parts (${parts.join(', ')})`,
            { node, property: 'target', code: IssueCodes.GraphNodeUnknown });
        return;
    }
    const suggestion = closestName(node.target, [...analysis.graphNodes].filter(n => n !== 'output'));
    accept('error', `unknown G node "${node.target}"${suggestion ? `; did you mean "${suggestion}"?` : ''}: declare it in the graph block (\`node ${node.target} = "<tensor>"\`)`,
        { node, property: 'target', code: IssueCodes.GraphNodeUnknown, ...(suggestion && { data: { suggestion } }) });
}

/**
 * Why `X.rest` is not a G node when X is split and its parts cover every element (known once the
 * shape is: declared, or from the probe run); undefined for any other name.
 */
function emptyRest(name: string, analysis: DocumentAnalysis): string | undefined {
    if (!name.endsWith('.rest')) return undefined;
    const owner = name.slice(0, -'.rest'.length);
    const g = analysis.derived?.g;
    const parts = g ? [...g.nodes.keys()].filter(n => n.startsWith(`${owner}.`)) : [];
    if (!g || parts.length === 0) return undefined;
    const tensor = g.nodes.get(parts[0])!.tensors[0]?.tensor;
    const shape = tensor === undefined ? undefined : analysis.modelGraph?.tensors.get(tensor)?.shape;
    return `${name} is empty: the parts of ${owner} (${parts.join(', ')}) cover every element of "${tensor}"${shape ? ` [${shape.join(', ')}]` : ''}, so there is no rest to claim (claim the parts)`;
}

/** c is injective: two I nodes of one hypothesis never correspond to the same G node. */
export function checkInjective(h: ast.Hypothesis, resolved: ResolvedHypothesis, accept: ValidationAcceptor): void {
    const byTarget = new Map<string, ast.InterpNode[]>();
    for (const n of resolved.nodes.values()) byTarget.set(n.target, [...(byTarget.get(n.target) ?? []), n]);
    for (const [target, nodes] of byTarget) {
        if (nodes.length < 2) continue;
        for (const n of nodes.filter(x => x.$container === h)) {
            const others = nodes.filter(x => x !== n);
            accept('error', `${n.name} and ${others.map(x => x.name).join(', ')} both correspond to ${target}: the correspondence must be injective`, {
                node: n, property: 'target', code: IssueCodes.CorrespondenceNotInjective,
                ...related(...others.map(o => relatedAt(o, 'target', `${o.name} also corresponds to ${target}`))),
            });
        }
    }
}

/**
 * Every I node is read, directly or through other nodes, by the output: the scrub starts at the
 * output, so a node nothing reads claims nothing and its G node is resampled as unimportant.
 */
export function checkUnusedNodes(h: ast.Hypothesis, resolved: ResolvedHypothesis, accept: ValidationAcceptor): void {
    if (resolved.outputs.length === 0) return;
    const reached = new Set<string>();
    const stack = resolved.outputs.flatMap(o => o.parents.filter(ast.isNodeParentRef).map(parentName));
    while (stack.length > 0) {
        const name = stack.pop()!;
        const node = resolved.nodes.get(name);
        if (reached.has(name) || node === undefined) continue;
        reached.add(name);
        stack.push(...node.parents.filter(ast.isNodeParentRef).map(parentName));
    }
    // Only the hypothesis's own nodes: an extension that stops reading an inherited node is the
    // usual way to claim less (`extends` cannot remove nodes), so that is not flagged.
    for (const n of resolved.nodes.values()) {
        if (n.$container !== h || reached.has(n.name)) continue;
        accept('warning', `${n.name} is not read by the output or by any node the output reads, so it claims nothing and ${n.target} is resampled where it matters; list it as an I-parent or remove it`,
            { node: n, property: 'name', code: IssueCodes.InterpNodeUnused });
    }
}

/** I has no cycles (reported on the nodes of this hypothesis that lie on one). */
export function checkInterpCycles(h: ast.Hypothesis, resolved: ResolvedHypothesis, accept: ValidationAcceptor): void {
    const parentsOf = (n: ast.InterpNode) => n.parents.filter(ast.isNodeParentRef).map(parentName)
        .map(p => resolved.nodes.get(p)).filter((x): x is ast.InterpNode => x !== undefined);
    for (const start of resolved.nodes.values()) {
        if (start.$container !== h) continue;
        const path = findPath(start, start, parentsOf, new Set());
        if (path) {
            accept('error', `cycle in the interpretation graph: ${[start, ...path].map(n => n.name).join(' <- ')}`,
                { node: start, property: 'name', code: IssueCodes.InterpCycle });
        }
    }
}

function findPath(from: ast.InterpNode, to: ast.InterpNode, parentsOf: (n: ast.InterpNode) => ast.InterpNode[],
    seen: Set<ast.InterpNode>): ast.InterpNode[] | undefined {
    for (const p of parentsOf(from)) {
        if (p === to) return [p];
        if (seen.has(p)) continue;
        seen.add(p);
        const rest = findPath(p, to, parentsOf, seen);
        if (rest) return [p, ...rest];
    }
    return undefined;
}

/** Every I-edge p → n maps to a G-edge c(p) → c(n): a direct dependency, no hook point in between. */
export function checkEdges(owner: ast.InterpNode | ast.OutputStatement, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const h = owner.$container;
    const resolved = resolveHypothesis(h);
    const child = ast.isInterpNode(owner) ? owner.target : 'output';
    const seen = new Set<string>();
    owner.parents.forEach((p, index) => {
        const name = parentName(p);
        const at = { node: owner, property: 'parents', index } as const;
        if (seen.has(name)) accept('warning', `${name} is listed twice`, { ...at, code: IssueCodes.ParentDuplicate });
        seen.add(name);
        let parent: string | undefined;
        if (ast.isInputParentRef(p)) {
            parent = name;
            if (!analysis.graphNodes.has(name)) {
                const empty = emptyRest(name, analysis);
                if (empty !== undefined) {
                    accept('error', empty, { ...at, code: IssueCodes.SplitInvalid });
                    return;
                }
                const parts = [...analysis.graphNodes].filter(n => n === 'input' || n.startsWith('input.'));
                accept('error', `unknown input part "${name}" (the input's G nodes: ${parts.join(', ')})`, { ...at, code: IssueCodes.GraphNodeUnknown });
                return;
            }
        } else {
            parent = resolved.nodes.get(name)?.target;
        }
        const g = analysis.derived?.g;
        if (!g || parent === undefined || !g.nodes.has(parent) || !g.nodes.has(child)) return;
        if (g.parents(child).includes(parent)) {
            const real = g.partParents(child);
            if (real.includes(parent)) {
                // Structurally an edge, through a rule that may over-approximate, and no perturbation moved it.
                const inert = inertEdge(analysis.numericEvidence?.(), child, parent);
                if (inert !== undefined) {
                    accept('warning', `${name} may not matter to ${child}: perturbing ${parent} never moved ${child} in ${inert.trials} trials (dataset rows × perturbations through ${child}'s local function). The model's graph has the edge, so it stands; sampling cannot prove it absent, but the claim may be vacuous`,
                        { ...at, code: IssueCodes.EdgeNumericallyInert });
                }
                return;
            }
            // The tensors are connected, but no element of this part reads an element of that one.
            accept('error', `${name} cannot be an I-parent here: no element of ${child} depends on ${parent} in the model (${child}'s G-parents: ${real.length > 0 ? real.join(', ') : 'none'})`,
                { ...at, code: IssueCodes.EdgeNotInGraph, data: { between: [] } });
            return;
        }
        const between = g.between(parent, child);
        const edge = `${parent} -> ${child}`;
        if (between.length > 0) {
            const file = AstUtils.getContainerOfType(owner, ast.isHypFile)!;
            accept('error', `${name} cannot be an I-parent here: ${edge} is not a G-edge, the hook point${between.length > 1 ? 's' : ''} ${between.join(', ')} lie${between.length > 1 ? '' : 's'} in between (map an I node to ${between.length > 1 ? 'them' : 'it'} and make it the parent)`, {
                ...at, code: IssueCodes.EdgeNotInGraph, data: { between: [...between] },
                ...related(...between.map(b => {
                    const decl = graphNodeDeclaration(file, b);
                    return decl && relatedAt(decl, 'name', `${b} lies between ${parent} and ${child}`);
                })),
            });
        } else {
            accept('error', `${name} cannot be an I-parent here: ${child} does not depend on ${parent} in the model`,
                { ...at, code: IssueCodes.EdgeNotInGraph, data: { between: [] } });
        }
    });
}
