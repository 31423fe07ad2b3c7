// An independent reference for causal scrubbing (DESIGN.md §2.3), written from the definition and
// sharing no code with the engine: it reads the lowered hypothesis JSON (a HypothesisSpec, as data)
// with its own feature evaluator, works out G's part-level parents from the layer description of
// the model (random-case.ts) rather than from the ONNX graph, runs the model in JavaScript (float64),
// draws with its own generator (mulberry32, not the engine's xoshiro128**; distributions agree,
// draws do not), and makes one recursive call per path of the treeified hypothesis, with no
// caching, planning or shortcut of any kind. Roots are drawn uniformly (with replacement), and the
// random baseline draws its own input independently of the scrub's draws.
import type { Expr, FeatureValue, HypothesisSpec, MetricSpec } from '../../engine/spec.js';
import { evalLayer, gather, layerGParents, mulberry32, runModel, type Layer, type RandomCase } from './random-case.js';

/** Per-root behaviour values, as losses (scores negated), like a result's per-example values before display. */
export interface ReferenceValues {
    clean: number[];
    scrubbed: number[];
    random: number[];
}

/** The reference's own evaluator for the feature expressions the generator writes. */
function evalExpr(e: Expr, row: Record<string, unknown>, parents: ReadonlyMap<string, FeatureValue>): FeatureValue {
    switch (e.kind) {
        case 'number': case 'boolean': case 'string': return e.value;
        case 'list': return e.items.map(i => evalExpr(i, row, parents));
        case 'ref': {
            const v = parents.get(e.name) ?? row[e.name];
            if (v === undefined) throw new Error(`reference: unknown name ${e.name}`);
            return v as FeatureValue;
        }
        case 'index': return (evalExpr(e.target, row, parents) as FeatureValue[])[evalExpr(e.index, row, parents) as number];
        case 'unary': {
            const a = evalExpr(e.arg, row, parents);
            return e.op === 'not' ? !a : -(a as number);
        }
        case 'binary': {
            const a = evalExpr(e.left, row, parents), b = evalExpr(e.right, row, parents);
            switch (e.op) {
                case '+': return (a as number) + (b as number);
                case '-': return (a as number) - (b as number);
                case '*': return (a as number) * (b as number);
                case '%': return (a as number) % (b as number);
                case '==': return JSON.stringify(a) === JSON.stringify(b);
                case '!=': return JSON.stringify(a) !== JSON.stringify(b);
                case '<': return (a as number) < (b as number);
                case '<=': return (a as number) <= (b as number);
                case '>': return (a as number) > (b as number);
                case '>=': return (a as number) >= (b as number);
                case 'and': return (a as boolean) && (b as boolean);
                case 'or': return (a as boolean) || (b as boolean);
                default: throw new Error(`reference: operator ${e.op}`);
            }
        }
        default: throw new Error(`reference: expression ${e.kind}`);
    }
}

/** A loss per root from logits (float64), for the metrics of DESIGN.md §2.4; scores negated. */
function loss(metric: MetricSpec, logits: readonly number[], label: number, clean: readonly number[]): number {
    const logSoftmax = (v: readonly number[]) => {
        const m = Math.max(...v);
        const lse = m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0));
        return v.map(x => x - lse);
    };
    switch (metric.kind) {
        case 'cross_entropy': return -logSoftmax(logits)[label];
        case 'accuracy': return logits.indexOf(Math.max(...logits)) === label ? -1 : 0;
        case 'logit_diff': return -(logits[metric.a] - logits[metric.b]);
        case 'logit_diff_label': return -(logits[label] - Math.max(...logits.filter((_, i) => i !== label)));
        case 'kl': {
            const p = logSoftmax(clean), q = logSoftmax(logits);
            return p.reduce((a, lp, i) => a + Math.exp(lp) * (lp - q[i]), 0);
        }
    }
}

/** Scrubs `roots` roots of the case's hypothesis the reference way; `seed` seeds its own generator. */
export function referenceScrub(c: RandomCase, h: HypothesisSpec, metric: MetricSpec, roots: number, seed: number): ReferenceValues {
    const rnd = mulberry32(seed ^ 0x5bd1e995);
    const uniform = (n: number) => Math.floor(rnd() * n);
    const rows = c.rows;
    const n = rows.length;
    const clean = rows.map(r => runModel(c.model, r.x));
    const layers = new Map(c.model.layers.map(l => [l.name, l]));
    const byName = new Map(h.nodes.map(node => [node.name, node]));
    const { ablation, unimportant } = h.options;

    // Feature values per I node and example, parents' values available by name; then classes.
    const featureOf = new Map<string, string[]>();
    const values = new Map<string, FeatureValue[]>();
    for (const node of h.nodes) {
        if (node.feature === null) continue;
        const vs = rows.map((row, j) => {
            const parentValues = new Map<string, FeatureValue>();
            for (const p of node.parents) if (values.has(p)) parentValues.set(p, values.get(p)![j]);
            return evalExpr(node.feature!, row, parentValues);
        });
        values.set(node.name, vs);
        featureOf.set(node.name, vs.map(v => JSON.stringify(v)));
    }
    const drawAgreeing = (node: string, x: number): number => {
        const keys = featureOf.get(node);
        if (keys === undefined) return x; // no feature: the child's own example
        const members: number[] = [];
        for (let j = 0; j < n; j++) if (keys[j] === keys[x]) members.push(j);
        return members[uniform(members.length)];
    };

    // Tensor and element range of a G node.
    const tensorOf = (gNode: string) => (gNode === 'output' ? 'logits' : gNode.startsWith('input.') ? 'x' : gNode.split('.')[0]);
    const partIndices = (gNode: string): number[] | undefined => {
        const [t, p] = gNode.split('.');
        if (p === undefined) return undefined;
        if (t === 'input') return c.inputParts.find(q => q.name === p)!.indices;
        return c.hooks.find(hk => hk.tensor === t)!.parts!.find(q => q.name === p)!.indices;
    };
    const meanOf = (tensor: string) => {
        const m = new Array<number>(clean[0].get(tensor)!.length).fill(0);
        for (const act of clean) act.get(tensor)!.forEach((v, i) => { m[i] += v / n; });
        return m;
    };

    /** scrub(node, x): the activation of c(node)'s tensor the hypothesis claims is as good as the real one on x. */
    const scrub = (nodeName: string, x: number): number[] => {
        const node = byName.get(nodeName)!;
        const layer: Layer = layers.get(tensorOf(node.graphNode))!;
        const source = new Map<string, number[]>(); // G node → the tensor value its elements are taken from
        for (const p of node.parents) {
            if (p.startsWith('input.')) source.set(p, rows[x].x);
            else source.set(byName.get(p)!.graphNode, scrub(p, drawAgreeing(p, x)));
        }
        let shared: number | undefined;
        const own = partIndices(node.graphNode);
        for (const gParent of layerGParents(layer, c.hooks, c.inputParts, own)) {
            if (source.has(gParent)) continue;
            const tensor = tensorOf(gParent);
            if (ablation === 'zero') source.set(gParent, new Array(clean[0].get(tensor)!.length).fill(0));
            else if (ablation === 'mean') source.set(gParent, meanOf(tensor));
            else source.set(gParent, clean[unimportant === 'separate' ? uniform(n) : (shared ??= uniform(n))].get(tensor)!);
        }
        // Assemble each read tensor element by element from the G node (part) that owns the element.
        const input = layer.reads.flatMap(r => {
            const size = clean[0].get(r.tensor)!.length;
            const assembled = new Array<number>(size).fill(NaN);
            for (const [gNode, value] of source) {
                if (tensorOf(gNode) !== r.tensor) continue;
                for (const i of partIndices(gNode) ?? [...Array(size).keys()]) assembled[i] = value[i];
            }
            return gather(assembled, r);
        });
        // Elements no G-parent of this part gives stay NaN; only other parts' elements may read them.
        const value = evalLayer(layer, input);
        if ((own ?? value.map((_, i) => i)).some(i => Number.isNaN(value[i]))) throw new Error(`reference: ${node.graphNode} reads an element no G-parent gives`);
        return value;
    };

    const out: ReferenceValues = { clean: [], scrubbed: [], random: [] };
    const output = h.nodes.find(node => node.graphNode === 'output')!;
    for (let r = 0; r < roots; r++) {
        const x = uniform(n);
        const label = rows[x].y;
        const cleanLogits = clean[x].get('logits')!;
        out.clean.push(loss(metric, cleanLogits, label, cleanLogits));
        out.scrubbed.push(loss(metric, scrub(output.name, x), label, cleanLogits));
        out.random.push(loss(metric, clean[uniform(n)].get('logits')!, label, cleanLogits));
    }
    return out;
}
