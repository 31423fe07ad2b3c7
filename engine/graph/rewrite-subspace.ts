// A rewrite by subspaces (`T split subspace { … }`, graph/rewrite.ts): the projections of T's last
// axis onto the span of each part's vectors (checked mutually orthogonal), and onto the
// orthogonal complement of them all (`rest`).
import type { HookSpec } from '../spec.js';
import { exampleDims, finish, type AddedConstant, type AddedNode, type Fail, type Made, type RewritePart } from './rewrite-parts.js';
import type { TensorInfo } from './types.js';

/** Tolerance of the orthogonality check between two parts' unit vectors (|u · w|). */
export const ORTHOGONALITY_TOLERANCE = 1e-4;

/** The parts of `hook` by the subspaces of its last axis that `declared` spans, or undefined after reporting why not. */
export function subspaceRewrite(info: TensorInfo, hook: HookSpec, declared: readonly { name: string; vectors: number[][] }[], fail: Fail): Made | undefined {
    const dims = exampleDims(info);
    if (dims === undefined || dims.length === 0) {
        return void fail('rewrite-invalid', `the shape of "${hook.tensor}" is not known yet (the model file does not declare it; hyp check and the editor's probe run find it)`, 'warning');
    }
    if (info.dtype !== null && info.dtype !== 'float32') return void fail('rewrite-invalid', `"${hook.tensor}" holds ${info.dtype}: a decomposition by subspaces needs float32`);
    const d = dims[dims.length - 1];
    const bases: { name: string; basis: Float64Array[] }[] = [];
    for (const part of declared) {
        if (part.name === 'rest') return void fail('rewrite-invalid', 'a part cannot be called "rest": that name is the orthogonal complement of the parts');
        if (bases.some(b => b.name === part.name)) return void fail('rewrite-invalid', `part "${part.name}" is declared twice`);
        if (part.vectors.length === 0) return void fail('rewrite-invalid', `part "${part.name}" has no vectors`);
        const wrong = part.vectors.findIndex(v => v.length !== d);
        if (wrong >= 0) {
            return void fail('rewrite-invalid', `part "${part.name}": vector ${wrong + 1} has ${part.vectors[wrong].length} entries, but the last axis of "${hook.tensor}" has ${d}`);
        }
        const basis = orthonormalBasis(part.vectors);
        if (typeof basis === 'number') {
            return void fail('rewrite-invalid', `part "${part.name}": vector ${basis + 1} is zero or lies in the span of the vectors before it; give linearly independent vectors`);
        }
        bases.push({ name: part.name, basis });
    }
    for (let a = 0; a < bases.length; a++) {
        for (let b = a + 1; b < bases.length; b++) {
            let worst = 0;
            for (const u of bases[a].basis) for (const w of bases[b].basis) worst = Math.max(worst, Math.abs(dot(u, w)));
            if (worst > ORTHOGONALITY_TOLERANCE) {
                return void fail('rewrite-not-orthogonal', `parts "${bases[a].name}" and "${bases[b].name}" are not orthogonal (|u · w| = ${worst.toPrecision(3)} for unit vectors of their subspaces): the subspaces of a decomposition must be mutually orthogonal`);
            }
        }
    }
    const rank = bases.reduce((n, b) => n + b.basis.length, 0);
    if (rank > d) return void fail('rewrite-invalid', `the parts span ${rank} dimensions, but the last axis of "${hook.tensor}" has ${d}`);
    const nodes: AddedNode[] = [];
    const constants: AddedConstant[] = [];
    const parts: RewritePart[] = [];
    const complement = identity(d);
    const project = (name: string, matrix: Float64Array, describe: string) => {
        const p = `${hook.name}.${name}::rewrite::projection`;
        constants.push({ name: p, dtype: 'float32', dims: [d, d], values: Float32Array.from(matrix) });
        const out = `${hook.name}.${name}::rewrite::projected`;
        nodes.push({ op: 'MatMul', name: out, inputs: [hook.tensor, p], outputs: [out], after: hook.tensor });
        parts.push({ name, tensor: out, describe });
    };
    for (const { name, basis } of bases) {
        const matrix = projection(basis, d);
        for (let i = 0; i < matrix.length; i++) complement[i] -= matrix[i];
        project(name, matrix, `the projection of ${hook.name} onto a rank-${basis.length} subspace of its last axis (of ${d})`);
    }
    if (rank < d) project('rest', complement, `the projection of ${hook.name} onto the orthogonal complement of its parts (rank ${d - rank} of ${d})`);
    return finish(hook, parts, nodes, constants);
}

/** Gram–Schmidt (twice, for accuracy) in float64; the index of the first dependent vector when there is one. */
function orthonormalBasis(vectors: readonly number[][]): Float64Array[] | number {
    const basis: Float64Array[] = [];
    for (const [i, v] of vectors.entries()) {
        const u = Float64Array.from(v);
        const norm0 = Math.sqrt(dot(u, u));
        for (let pass = 0; pass < 2; pass++) {
            for (const b of basis) {
                const c = dot(u, b);
                for (let j = 0; j < u.length; j++) u[j] -= c * b[j];
            }
        }
        const norm = Math.sqrt(dot(u, u));
        if (!(norm0 > 0) || norm <= 1e-6 * norm0) return i;
        for (let j = 0; j < u.length; j++) u[j] /= norm;
        basis.push(u);
    }
    return basis;
}

/** Σ_i b_i b_iᵀ as a row-major d × d matrix (symmetric, so T · P projects the last axis). */
function projection(basis: readonly Float64Array[], d: number): Float64Array {
    const p = new Float64Array(d * d);
    for (const b of basis) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) p[i * d + j] += b[i] * b[j];
    return p;
}

function identity(d: number): Float64Array {
    const m = new Float64Array(d * d);
    for (let i = 0; i < d; i++) m[i * d + i] = 1;
    return m;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
}
