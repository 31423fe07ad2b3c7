// Checking a split of a hook point (or of the input) into named parts, and normalising it: axes
// and indices become non-negative where the shape is known, so every later step compares plain
// integers. Whether a `.rest` part exists is decided here (see `CheckedSplit.rest`).
import type { PartSpec, SplitSpec } from '../spec.js';
import { coverageMask } from './coverage-mask.js';
import { compileIndexPredicate } from './index-predicate.js';
import type { Coverage, GraphProblem, TensorInfo } from './types.js';

export interface CheckedSplit {
    /** The named parts, normalised. */
    parts: { name: string; coverage: Coverage }[];
    /**
     * The coverage of the implicit `.rest` part, or null when it would be empty. It is null only
     * when the shape along the split's axes is known and the parts cover every element; with an
     * unknown (symbolic) size the rest is created, because it may cover elements at run time and
     * a hypothesis must be able to name it.
     */
    rest: Coverage | null;
    problems: GraphProblem[];
}

/** A mask grid larger than this is not built at check time (the checks that need it are skipped). */
const MAX_CHECK_ELEMENTS = 1 << 24;

/** Checks and normalises the split of `info` declared by `owner` (a hook name, or 'input'). */
export function checkSplit(owner: string, info: TensorInfo, split: SplitSpec): CheckedSplit {
    const problems: GraphProblem[] = [];
    const bad = (message: string) => problems.push({ code: 'bad-split', severity: 'error', message, hook: owner });
    const shape = info.shape;
    const shown = shape === null ? 'of unknown shape' : `of shape [${shape.join(', ')}]`;
    const normAxis = (axis: number, where: string): number | undefined => {
        const a = axis < 0 && shape !== null ? axis + shape.length : axis;
        if (a < 0) bad(`${where}: a negative axis needs a known rank, and "${info.name}" is ${shown}`);
        else if (shape !== null && a >= shape.length) bad(`${where}: axis ${axis} is out of range for "${info.name}" ${shown}`);
        else if (a === 0) bad(`${where}: axis 0 is the batch axis; split one of the axes after it`);
        else return a;
        return undefined;
    };
    const sizeOf = (axis: number | undefined): number | null =>
        axis !== undefined && shape !== null && typeof shape[axis] === 'number' ? shape[axis] : null;

    const names = new Set<string>();
    for (const p of split.parts) {
        if (p.name === 'rest') bad('a part cannot be called "rest": that name is the elements no part covers');
        else if (names.has(p.name)) bad(`part "${p.name}" is declared twice`);
        names.add(p.name);
    }

    const hasIndexParts = split.parts.some(p => 'indices' in p);
    let axis: number | undefined;
    if (hasIndexParts) {
        if (split.axis === undefined) bad('an index-set split needs an axis');
        else axis = normAxis(split.axis, 'split');
    }
    const size = sizeOf(axis);

    const parts: PartSpec[] = split.parts.map(p => {
        if ('indices' in p) {
            if (p.indices.length === 0) bad(`part "${p.name}" is empty`);
            const out: number[] = [];
            for (const i of p.indices) {
                if (size !== null && (i < -size || i >= size)) {
                    bad(`part "${p.name}": index ${i} is out of range for axis ${axis} of size ${size}`);
                    continue;
                }
                const n = size !== null && i < 0 ? i + size : i;
                if (!out.includes(n)) out.push(n);
            }
            return { name: p.name, indices: out };
        }
        if (p.axes.length !== p.vars.length) {
            bad(`part "${p.name}": ${p.axes.length} axes but ${p.vars.length} index variables`);
        }
        const axes = p.axes.map(a => normAxis(a, `part "${p.name}"`) ?? a);
        if (new Set(axes).size !== axes.length) bad(`part "${p.name}" names an axis twice`);
        const compiled = compileIndexPredicate(p.predicate, p.vars);
        if ('error' in compiled) bad(`part "${p.name}": ${compiled.error}`);
        return { ...p, axes };
    });

    const coverages = parts.map(p => ({ name: p.name, coverage: partCoverage(p, axis) }));
    const restCoverage: Coverage = { kind: 'rest', split: { axis, parts } };
    if (problems.length > 0) return { parts: coverages, rest: restCoverage, problems };

    // On the grid of the axes the parts look at (other axes cannot change membership), find empty
    // parts, overlaps and whether anything is left for the rest.
    const grid = checkGrid(shape, [...(axis !== undefined ? [axis] : []), ...parts.flatMap(p => 'axes' in p ? p.axes : [])]);
    if (grid === null) {
        indexOverlaps(parts, bad);
        return { parts: coverages, rest: restCoverage, problems };
    }
    const count = new Uint8Array(grid.slice(1).reduce((a, b) => a * b, 1));
    const owners: string[] = new Array(count.length);
    for (const { name, coverage } of coverages) {
        const mask = coverageMask(coverage, grid);
        let any = false;
        let overlapWith: string | undefined;
        for (let e = 0; e < mask.length; e++) {
            if (mask[e] === 0) continue;
            any = true;
            if (count[e] > 0 && overlapWith === undefined) overlapWith = owners[e];
            count[e]++;
            owners[e] = name;
        }
        if (!any) bad(`part "${name}" covers no element of "${info.name}" ${shown}`);
        if (overlapWith !== undefined) bad(`parts "${overlapWith}" and "${name}" overlap: parts must not share elements`);
    }
    return { parts: coverages, rest: count.includes(0) ? restCoverage : null, problems };
}

function partCoverage(p: PartSpec, axis: number | undefined): Coverage {
    return 'indices' in p ? { kind: 'part', part: p, axis } : { kind: 'part', part: p };
}

/** Dims with the given axes at their sizes and every other axis 1, or null when a size is unknown. */
function checkGrid(shape: (number | string)[] | null, axes: readonly number[]): number[] | null {
    if (shape === null) return null;
    const grid = shape.map(() => 1);
    for (const a of axes) {
        const n = shape[a];
        if (typeof n !== 'number') return null;
        grid[a] = n;
    }
    return grid.reduce((x, y) => x * y, 1) <= MAX_CHECK_ELEMENTS ? grid : null;
}

/** Without sizes, index-set parts can still be seen to overlap when they name the same index. */
function indexOverlaps(parts: readonly PartSpec[], bad: (m: string) => void): void {
    const seen = new Map<number, string>();
    for (const p of parts) {
        if (!('indices' in p)) continue;
        for (const i of p.indices) {
            const other = seen.get(i);
            if (other !== undefined && other !== p.name) {
                bad(`parts "${other}" and "${p.name}" overlap at index ${i}: parts must not share elements`);
                return;
            }
            seen.set(i, p.name);
        }
    }
}
