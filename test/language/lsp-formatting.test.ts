import { expectFormatting } from 'langium/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'vitest';
import { services, TOY_DIR } from './helpers.js';

const format = expectFormatting(services);

describe('formatting', () => {
    it('puts members on their own indented lines and spaces arrows, operators and lists', async () => {
        await format({
            before: `model   "m.onnx"
dataset "d.jsonl" {input x=z   label y}
graph {
split input axis 1 {z1:0,z2 : 1}
      node A="A"
node R = "R" split axis 2 {h0:[0,1], h1 : 2..4}
}
metric logit_diff( 1,0 )


hypothesis h extends   g {
node a->A=z[ 0 ]>3 and not(len( z )==3)<-input.z1 ,input.z2
  node b -> R.h0 = map(z,(x,i)=>x*i)[1:] <- a
output<-a,b
}`,
            after: `model "m.onnx"
dataset "d.jsonl" {
    input x = z
    label y
}
graph {
    split input axis 1 { z1: 0, z2: 1 }
    node A = "A"
    node R = "R" split axis 2 { h0: [0, 1], h1: 2..4 }
}
metric logit_diff(1, 0)

hypothesis h extends g {
    node a -> A = z[0] > 3 and not (len(z) == 3) <- input.z1, input.z2
    node b -> R.h0 = map(z, (x, i) => x * i)[1:] <- a
    output <- a, b
}`,
            disposeAfterCheck: true,
        });
    });

    it('keeps comments where they are and a single blank line between declarations', async () => {
        await format({
            before: `// the toy
model "m.onnx"   // the model

dataset "d.jsonl" { label y }`,
            after: `// the toy
model "m.onnx"   // the model

dataset "d.jsonl" {
    label y
}`,
            disposeAfterCheck: true,
        });
    });

    it('leaves the formatted toy example as it is (aligned arrows included)', async () => {
        const text = readFileSync(resolve(TOY_DIR, 'toy.hyp'), 'utf8');
        await format({ before: text, after: text, disposeAfterCheck: true });
    });
});
