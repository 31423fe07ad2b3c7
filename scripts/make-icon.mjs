// Draws the extension's 128×128 icon (syntaxes/hyp-icon.png; the marketplace wants a PNG): the file
// icon's small DAG — two nodes feeding a third — on a dark rounded square, with the unclaimed edge
// between the two dashed. Shapes are signed distances, supersampled 4×4 for smooth edges.
// Run `node scripts/make-icon.mjs` after changing it; the PNG is committed.
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;
const hex = h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16));

const segment = (px, py, [ax, ay], [bx, by]) => {
    const [dx, dy] = [bx - ax, by - ay];
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    return { d: Math.hypot(px - ax - t * dx, py - ay - t * dy), t };
};
const roundedSquare = (px, py, r) => {
    const q = [Math.abs(px - SIZE / 2) - (SIZE / 2 - r), Math.abs(py - SIZE / 2) - (SIZE / 2 - r)];
    return Math.hypot(Math.max(q[0], 0), Math.max(q[1], 0)) + Math.min(Math.max(q[0], q[1]), 0) - r;
};

/** Layers back to front: each says whether a point is inside it, and its colour. */
const layers = [
    { color: hex('#1e1b2e'), inside: (x, y) => roundedSquare(x, y, 22) <= 0 },
    { color: hex('#5b5670'), inside: (x, y) => { const s = segment(x, y, [34, 36], [94, 36]); return s.d <= 3 && Math.floor(s.t * 60 / 8) % 2 === 0; } },
    { color: hex('#8a63d2'), inside: (x, y) => segment(x, y, [34, 36], [64, 92]).d <= 4.5 || segment(x, y, [94, 36], [64, 92]).d <= 4.5 },
    { color: hex('#8a63d2'), inside: (x, y) => Math.hypot(x - 34, y - 34) <= 15 || Math.hypot(x - 94, y - 34) <= 15 },
    { color: hex('#c586c0'), inside: (x, y) => Math.hypot(x - 64, y - 94) <= 19 },
];

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
        const sum = [0, 0, 0, 0];
        for (let sy = 0; sy < SAMPLES; sy++) {
            for (let sx = 0; sx < SAMPLES; sx++) {
                const [px, py] = [x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES];
                const top = layers.findLast(l => l.inside(px, py));
                if (!top) continue;
                sum[0] += top.color[0]; sum[1] += top.color[1]; sum[2] += top.color[2]; sum[3] += 255;
            }
        }
        const n = SAMPLES * SAMPLES;
        const covered = sum[3] / 255;
        const at = (y * SIZE + x) * 4;
        for (let c = 0; c < 3; c++) rgba[at + c] = covered ? Math.round(sum[c] / covered) : 0;
        rgba[at + 3] = Math.round(sum[3] / n);
    }
}

/** A PNG of RGBA rows (filter 0 on each). */
function png(pixels, size) {
    const chunk = (type, data) => {
        const out = Buffer.alloc(12 + data.length);
        out.writeUInt32BE(data.length, 0);
        out.write(type, 4, 'latin1');
        data.copy(out, 8);
        out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
        return out;
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(size, 0);
    header.writeUInt32BE(size, 4);
    header.set([8, 6, 0, 0, 0], 8);
    const raw = Buffer.concat(Array.from({ length: size }, (_, y) => Buffer.concat([Buffer.of(0), pixels.subarray(y * size * 4, (y + 1) * size * 4)])));
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

writeFileSync(new URL('../syntaxes/hyp-icon.png', import.meta.url), png(rgba, SIZE));
