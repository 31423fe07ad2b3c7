// Orthogonal edges of one style often share segments (elkjs routes edges into one port as a bus).
// Dashed lines drawn on top of each other with different dash phases read as a solid line, so a
// dashed style is drawn once as the union of its segments.
import type { Point } from './layout.js';

/** The union of the edges' axis-parallel segments, as disjoint segments (others are kept as they are). */
export function segmentUnion(edges: readonly (readonly Point[])[]): [Point, Point][] {
    const lines = new Map<string, [number, number][]>();
    const other: [Point, Point][] = [];
    for (const points of edges) {
        for (let k = 1; k < points.length; k++) {
            const a = points[k - 1], b = points[k];
            if (a.y === b.y) push(lines, `h${a.y}`, [Math.min(a.x, b.x), Math.max(a.x, b.x)]);
            else if (a.x === b.x) push(lines, `v${a.x}`, [Math.min(a.y, b.y), Math.max(a.y, b.y)]);
            else other.push([a, b]);
        }
    }
    const out: [Point, Point][] = [];
    for (const [key, intervals] of [...lines].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const at = Number(key.slice(1));
        intervals.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
        let [lo, hi] = intervals[0];
        const flush = () => out.push(key[0] === 'h' ? [{ x: lo, y: at }, { x: hi, y: at }] : [{ x: at, y: lo }, { x: at, y: hi }]);
        for (const [s, e] of intervals.slice(1)) {
            if (s <= hi) hi = Math.max(hi, e);
            else {
                flush();
                [lo, hi] = [s, e];
            }
        }
        flush();
    }
    return [...out, ...other];
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
}
