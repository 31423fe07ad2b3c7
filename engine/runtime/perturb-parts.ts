// The numeric pass over part-level edges (graph/perturb-queries.ts): for each child tensor whose
// structural part-level parents over-approximate, its local function is run on the clean parent
// activations of a few dataset rows and then, per parent part, on copies of those rows with that
// part's elements perturbed (seeded, several perturbations of growing magnitude); a child part
// "moved" in a trial when one of its elements changed. Sampling shows dependencies, never their
// absence: the evidence feeds a warning, never G or the planner.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { coverageMask } from '../graph/coverage-mask.js';
import { extractLocalFunction, withExtraOutputs } from '../graph/local-function.js';
import { edgeKey, MAX_RUN_ELEMENTS, PERTURBATIONS, type PartEvidence, type PerturbQuery, type PerturbRequest } from '../graph/perturb-queries.js';
import type { TensorType } from '../onnx/dtype.js';
import { readModelFile, writeModel } from '../onnx/read.js';
import { applyRewritesToModel } from '../onnx/rewrite-model.js';
import { Prng } from '../util/prng.js';
import { createSession } from './session.js';

/** Perturbation k of a float part adds Gaussian noise of SCALES[k] times the tensor's standard deviation. */
const SCALES = [1, 4, 16, 64];

type Data = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** The evidence of a request on a model (the CLI runs it in-process, the language server in its probe process). */
export async function perturbParts(fileModel: ModelProto, request: PerturbRequest): Promise<PartEvidence> {
    const { queries, feeds } = request;
    // Rewritten hooks: the parts are tensors of the model with the rewrites made in it, as the scrub runs it.
    const model = request.rewrites === undefined ? fileModel : applyRewritesToModel(fileModel, request.rewrites);
    const rows = feeds.length === 0 ? 0 : feeds[0].data.length / Math.max(1, feeds[0].dims.reduce((a, b) => a * b, 1));
    const evidence: PartEvidence = { rows, perturbations: PERTURBATIONS, edges: {} };
    if (rows === 0 || queries.length === 0) return evidence;
    const inputs = new Map(feeds.map(f => [f.name, new ort.Tensor(f.dtype as ort.Tensor.Type, f.data as ort.Tensor.DataType, [rows, ...f.dims])]));
    // Every parent's clean activations on the rows, from one run of the model.
    const wanted = [...new Set(queries.flatMap(q => q.parents))].filter(t => !inputs.has(t));
    const clean = new Map<string, ort.Tensor>(inputs);
    if (wanted.length > 0) {
        const { session } = await createSession(writeModel(withExtraOutputs(model, wanted)), { providers: ['cpu'], intraOpThreads: 1 });
        try {
            const out = await session.run(Object.fromEntries(inputs), wanted);
            for (const t of wanted) clean.set(t, out[t]);
        } finally {
            await session.release();
        }
    }
    for (const query of queries) {
        try {
            await runQuery(model, query, clean, rows, evidence);
        } catch (e) {
            // A local function onnxruntime refuses on perturbed values (or at all): that child is
            // not tested (said as such where a claim asks), the others still are.
            (evidence.untested ??= []).push({ tensor: query.tensor, kind: 'failed', reason: `onnxruntime failed on ${query.tensor}'s local function: ${e instanceof Error ? e.message : String(e)}` });
        }
    }
    return evidence;
}

/** The evidence of a request on a model file. */
export function perturbPartsFile(path: string, request: PerturbRequest): Promise<PartEvidence> {
    return perturbParts(readModelFile(path), request);
}

async function runQuery(model: ModelProto, query: PerturbQuery, clean: ReadonlyMap<string, ort.Tensor>, allRows: number, evidence: PartEvidence): Promise<void> {
    const full = query.parents.map(p => clean.get(p)!);
    const perRow = full.map(t => t.data.length / allRows);
    // Fewer rows for large parents; under two, the query is not tested (no evidence, no warning).
    const rows = Math.min(allRows, Math.floor(MAX_RUN_ELEMENTS / (PERTURBATIONS * perRow.reduce((a, b) => a + b, 0))));
    if (rows < 2) {
        (evidence.untested ??= []).push({ tensor: query.tensor, kind: 'skipped', reason: `${query.tensor}'s parents hold ${perRow.reduce((a, b) => a + b, 0)} elements a row: fewer than two rows fit the run bound of ${MAX_RUN_ELEMENTS} parent elements` });
        return;
    }
    const parents = full.map((t, i) => (rows === allRows ? t
        : new ort.Tensor(t.type, (t.data as Data).slice(0, rows * perRow[i]) as ort.Tensor.DataType, [rows, ...t.dims.slice(1)])));
    const types = new Map<string, TensorType>(query.parents.map((p, i) => [p, { dtype: parents[i].type, dims: parents[i].dims }]));
    const { session } = await createSession(writeModel(extractLocalFunction(model, query.tensor, query.parents, types)), { providers: ['cpu'], intraOpThreads: 1 });
    try {
        const run = async (feeds: ort.Tensor[]) => (await session.run(Object.fromEntries(query.parents.map((p, i) => [p, feeds[i]])), [query.tensor]))[query.tensor];
        const base = await run(parents);
        const childDims = base.dims.slice(1) as number[];
        const childSize = base.data.length / rows;
        const masks = query.children.map(c => coverageMask(c.coverage, [1, ...childDims]));
        const baseData = base.data as Data;
        let scale = 0;
        for (let e = 0; e < baseData.length; e++) scale += Math.abs(Number(baseData[e]));
        scale /= Math.max(1, baseData.length);
        for (const parent of query.parentNodes) {
            const tested = query.edges.filter(([, p]) => p === parent.node).map(([c]) => c);
            const rng = new Prng(hashString(`${query.tensor}\u0000${parent.node}`));
            let perturbed = false;
            const batch = parents.map((t, i) => {
                const data = repeat(t.data as Data, PERTURBATIONS);
                for (const part of parent.tensors.filter(x => x.tensor === query.parents[i])) {
                    const dims = t.dims.slice(1) as number[];
                    if (perturb(t.type, t.data as Data, data, coverageMask(part.coverage, [1, ...dims]), perRow[i], rows, rng)) perturbed = true;
                }
                return new ort.Tensor(t.type, data as ort.Tensor.DataType, [rows * PERTURBATIONS, ...t.dims.slice(1)]);
            });
            const moved = new Map(tested.map(c => [c, 0]));
            if (perturbed) {
                const out = (await run(batch)).data as Data;
                for (let trial = 0; trial < rows * PERTURBATIONS; trial++) {
                    const r = trial % rows;
                    for (const [ci, child] of query.children.entries()) {
                        if (!moved.has(child.node)) continue;
                        if (movedIn(out, baseData, trial * childSize, r * childSize, childSize, masks[ci], scale)) moved.set(child.node, moved.get(child.node)! + 1);
                    }
                }
            }
            for (const c of tested) evidence.edges[edgeKey(c, parent.node)] = { moved: moved.get(c)!, trials: perturbed ? rows * PERTURBATIONS : 0 };
        }
    } finally {
        await session.release();
    }
}

/** `data` repeated `times` times (trial k · rows + r is row r under perturbation k). */
function repeat(data: Data, times: number): Data {
    const out = new (data.constructor as new (n: number) => Data)(data.length * times);
    for (let k = 0; k < times; k++) out.set(data as never, k * data.length);
    return out;
}

/**
 * Perturbs, in every copy, the elements `covered` marks: floats get Gaussian noise of growing
 * scale, integers (token ids) a value drawn from those the tensor holds on the rows (so an index
 * stays valid), booleans are flipped. False when the type has no rule or one value only.
 */
function perturb(dtype: string, clean: Data, out: Data, covered: Uint8Array, perRow: number, rows: number, rng: Prng): boolean {
    const copies = out.length / clean.length;
    if (dtype === 'float32' || dtype === 'float64') {
        let sum = 0, sq = 0, n = 0;
        for (const v of clean as Float32Array) if (Number.isFinite(v)) { sum += v; sq += v * v; n++; }
        const std = n > 0 ? Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2)) : 0;
        const unit = std > 0 ? std : 1;
        // One Gaussian draw per element, shifted and signed afresh per trial: cheap, and different every trial.
        const noise = Float64Array.from({ length: perRow }, () => gaussian(rng));
        for (let k = 0; k < copies; k++) {
            const scale = SCALES[k % SCALES.length] * unit;
            for (let r = 0; r < rows; r++) {
                const shift = rng.nextInt(perRow), signed = rng.nextFloat() < 0.5 ? -scale : scale;
                const at = k * clean.length + r * perRow;
                for (let e = 0; e < perRow; e++) if (covered[e]) (out as Float32Array)[at + e] += signed * noise[(e + shift) % perRow];
            }
        }
        return true;
    }
    if (dtype === 'bool') {
        for (let i = 0; i < out.length; i++) if (covered[i % perRow]) (out as Uint8Array)[i] = out[i] ? 0 : 1;
        return true;
    }
    if (dtype === 'int64' || dtype === 'int32') {
        const seen = [...new Set(Array.from(clean as ArrayLike<number | bigint>, v => v))];
        if (seen.length < 2) return false;
        for (let i = 0; i < out.length; i++) {
            if (!covered[i % perRow]) continue;
            let v = seen[rng.nextInt(seen.length)];
            if (v === out[i]) v = seen[(seen.indexOf(v) + 1) % seen.length];
            (out as unknown as (number | bigint)[])[i] = v;
        }
        return true;
    }
    return false;
}

/** Whether some covered element of the trial's child differs from the clean row's (NaN equal to NaN; floats beyond rounding). */
function movedIn(out: Data, base: Data, at: number, baseAt: number, size: number, covered: Uint8Array, scale: number): boolean {
    for (let e = 0; e < size; e++) {
        if (!covered[e]) continue;
        const a = out[at + e], b = base[baseAt + e];
        if (typeof a === 'bigint' || typeof b === 'bigint') {
            if (a !== b) return true;
            continue;
        }
        if (Number.isNaN(a) || Number.isNaN(b)) {
            if (Number.isNaN(a) !== Number.isNaN(b)) return true;
            continue;
        }
        if (Math.abs(a - b) > 1e-5 * (Math.abs(b) + scale) + 1e-30) return true;
    }
    return false;
}

function gaussian(rng: Prng): number {
    const u = Math.max(rng.nextFloat(), 1e-12), v = rng.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function hashString(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0;
}
