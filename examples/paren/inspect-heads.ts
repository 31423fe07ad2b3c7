// Prints where each head of the committed paren model attends, to guide hypotheses:
// `npm run inspect:paren`. Reads paren.onnx and paren.jsonl; needs no training.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { readModelFile, writeModel } from '../../engine/onnx/read.js';
import { PAREN_CONFIG as C } from './config.js';
import { CLOSE, END, OPEN, PAD, START, type ParenRow } from './data.js';

// Paths from the repository root, where npm runs the scripts (the bundle lives elsewhere).
const HERE = 'examples/paren';
const model = readModelFile(join(HERE, 'paren.onnx'));
const g = model.graph!;
const extra = g.valueInfo.filter(v => /\.attn\.hook_pattern$/.test(v.name));
const session = await ort.InferenceSession.create(writeModel(create(ModelProtoSchema, { ...model, graph: { ...g, output: [...g.output, ...extra] } })));
const rows = readFileSync(join(HERE, 'paren.jsonl'), 'utf8').trim().split('\n').slice(0, 1000).map(l => JSON.parse(l) as ParenRow);
const out = await session.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(rows.flatMap(r => r.tokens).map(BigInt)), [rows.length, C.nCtx]) });
const n = C.nCtx, H = C.nHeads;

const pct = (x: number): string => `${(100 * x).toFixed(0)}%`.padStart(4);
console.log('mass by source token kind, from the readout position 0 | from position 1 | from a parenthesis position (mean)');
console.log('        START    (    )  END  PAD  pos1 | START    (    )  END  PAD | START    (    ) END  PAD  earlier later  self  open-frac-corr');
for (let l = 0; l < C.nLayers; l++) {
    const pat = out[`blocks.${l}.attn.hook_pattern`].data as Float32Array;
    for (let h = 0; h < H; h++) {
        const from0 = new Array(5).fill(0), from1 = new Array(5).fill(0), fromParen = new Array(5).fill(0);
        let pos1 = 0, earlier = 0, later = 0, self = 0, parenCount = 0;
        // Does the head's attention from position 1 to '(' track the share of '(' in the string?
        const xs: number[] = [], ys: number[] = [];
        rows.forEach((r, b) => {
            const base = (b * H + h) * n * n;
            for (let s = 0; s < n; s++) {
                from0[r.tokens[s]] += pat[base + s] / rows.length;
                from1[r.tokens[s]] += pat[base + n + s] / rows.length;
            }
            pos1 += pat[base + 1] / rows.length;
            const len = r.text.length;
            xs.push([...r.text].filter(ch => ch === '(').length / len);
            let openMass = 0, parenMass = 0;
            for (let s = 1; s <= len; s++) {
                parenMass += pat[base + n + s];
                if (r.tokens[s] === OPEN) openMass += pat[base + n + s];
            }
            ys.push(openMass / Math.max(parenMass, 1e-9));
            for (let d = 1; d <= len; d++) {
                parenCount++;
                for (let s = 0; s < n; s++) {
                    const a = pat[base + d * n + s];
                    fromParen[r.tokens[s]] += a;
                    if (s < d) earlier += a; else if (s > d) later += a; else self += a;
                }
            }
        });
        const row = (m: number[]): string => [START, OPEN, CLOSE, END, PAD].map(k => pct(m[k] / (m === fromParen ? parenCount : 1))).join(' ');
        console.log(`head ${l}.${h}  ${row(from0)} ${pct(pos1)} | ${row(from1)} | ${row(fromParen)}  ${pct(earlier / parenCount)} ${pct(later / parenCount)} ${pct(self / parenCount)}  ${corr(xs, ys).toFixed(2)}`);
    }
}

// From the readout position: how much attention lands on positions whose suffix has more '(' than
// ')' (where the right-to-left nesting depth goes negative), against their share of the parens.
console.log('\nfrom position 0, on strings with such positions: mass on them / on all parens, and their share of parens');
for (let l = 0; l < C.nLayers; l++) {
    const pat = out[`blocks.${l}.attn.hook_pattern`].data as Float32Array;
    for (let h = 0; h < H; h++) {
        let onBad = 0, onParens = 0, share = 0, count = 0;
        rows.forEach((r, b) => {
            const bad = suffixNegative(r.text);
            if (!bad.some(x => x)) return;
            count++;
            const base = (b * H + h) * n * n;
            let m = 0, all = 0;
            bad.forEach((isBad, i) => { all += pat[base + 1 + i]; if (isBad) m += pat[base + 1 + i]; });
            onBad += m / Math.max(all, 1e-9);
            onParens += all;
            share += bad.filter(x => x).length / bad.length;
        });
        console.log(`head ${l}.${h}  ${pct(onBad / count)} of paren mass on them (share ${pct(share / count)}), paren mass ${pct(onParens / count)}`);
    }
}

/** Per character: does the suffix starting there hold more '(' than ')'? */
function suffixNegative(text: string): boolean[] {
    const out: boolean[] = new Array(text.length).fill(false);
    let depth = 0;
    for (let i = text.length - 1; i >= 0; i--) {
        depth += text[i] === '(' ? 1 : -1;
        out[i] = depth > 0;
    }
    return out;
}

function corr(a: number[], b: number[]): number {
    const ma = a.reduce((x, y) => x + y, 0) / a.length, mb = b.reduce((x, y) => x + y, 0) / b.length;
    let sab = 0, saa = 0, sbb = 0;
    a.forEach((x, i) => { sab += (x - ma) * (b[i] - mb); saa += (x - ma) ** 2; sbb += (b[i] - mb) ** 2; });
    return sab / Math.sqrt(saa * sbb);
}
