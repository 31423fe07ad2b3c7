import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readModelFile, writeModel } from '../../engine/onnx/read.js';
import { HypError } from '../../engine/errors.js';
import { providerUnavailableReason } from '../../engine/runtime/provider-availability.js';
import { createSession, probeTensorTypes, resolveProviders, type ProviderName } from '../../engine/runtime/session.js';
import { TOY_MODEL, residualModel } from './graph-fixtures.js';

describe('choosing an execution provider', () => {
    it('auto tries CUDA, then WebGPU, then CPU; a named provider is tried alone', () => {
        expect(resolveProviders('auto')).toEqual(['cuda', 'webgpu', 'cpu']);
        expect(resolveProviders('cuda')).toEqual(['cuda']);
        expect(resolveProviders('webgpu')).toEqual(['webgpu']);
        expect(resolveProviders('cpu')).toEqual(['cpu']);
    });

    it('a named GPU provider that cannot start is an error with the reason and how to install it, not a CPU session', async () => {
        const hints = { cuda: /ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/, webgpu: /apt-get install libvulkan1/ };
        for (const provider of ['cuda', 'webgpu'] as const) {
            const known = providerUnavailableReason(provider);
            const attempt = createSession(writeModel(residualModel()), { providers: resolveProviders(provider) });
            if (known === undefined) {
                // A machine where it may start (a GPU with its libraries): then it runs there, or says why not.
                const outcome = await attempt.then(c => c.provider, (e: HypError) => e.code);
                expect([provider, 'provider-unavailable']).toContain(outcome);
                continue;
            }
            const e = await attempt.then(() => undefined, (x: unknown) => x);
            expect(e).toBeInstanceOf(HypError);
            expect((e as HypError).code).toBe('provider-unavailable');
            expect((e as HypError).message).toBe(`the ${provider} execution provider cannot start here: ${known}`);
            expect((e as HypError).hint).toMatch(hints[provider]);
        }
    });

    it('records why each provider before the one that ran failed, and runs the model there', async () => {
        const order: ProviderName[] = ['cuda', 'webgpu', 'cpu'];
        const created = await createSession(writeModel(residualModel()), { providers: order });
        // Where CUDA or WebGPU work this runs on them; on a CPU-only machine both fail first.
        const ran = order.indexOf(created.provider);
        expect(created.fallbacks).toHaveLength(ran);
        created.fallbacks.forEach((reason, i) => expect(reason.startsWith(`${order[i]}: `)).toBe(true));
        const out = await created.session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [1, 3]) });
        expect(out.out.dims).toEqual([1, 2]);
        await created.session.release();
        // A provider that failed is not tried again: the second session reports the same reasons.
        const again = await createSession(writeModel(residualModel()), { providers: order });
        expect(again.provider).toBe(created.provider);
        expect(again.fallbacks).toEqual(created.fallbacks);
        await again.session.release();
    });

    it('the CPU provider alone has no fallbacks, and its errors are not swallowed', async () => {
        const created = await createSession(writeModel(residualModel()), { providers: ['cpu'], intraOpThreads: 1 });
        expect(created).toMatchObject({ provider: 'cpu', fallbacks: [] });
        await created.session.release();
        await expect(createSession(Uint8Array.of(1, 2, 3), { providers: ['cpu'] })).rejects.toThrow();
    });

    it('two sessions give bit-identical results on the same feed', async () => {
        const x = new ort.Tensor('float32', Float32Array.from({ length: 300 }, (_, i) => Math.sin(i)), [100, 3]);
        const results: Float32Array[] = [];
        for (let k = 0; k < 2; k++) {
            const { session } = await createSession(writeModel(residualModel()), { providers: ['cpu'] });
            results.push((await session.run({ x })).out.data as Float32Array);
            await session.release();
        }
        expect(Buffer.compare(Buffer.from(results[0].buffer), Buffer.from(results[1].buffer))).toBe(0);
    });
});

describe('probing tensor types', () => {
    it('types every boundary of a model whose file has no value_info, per example (no batch axis)', async () => {
        const model = readModelFile(TOY_MODEL);
        model.graph!.valueInfo = [];
        const x = new ort.Tensor('float32', Float32Array.of(4, 0, 1, 0, 0, 6), [2, 3]);
        const types = await probeTensorTypes(model, ['A_gt', 'A', 'D', 'logits'], { x });
        expect(Object.fromEntries(types)).toEqual({
            A_gt: { dtype: 'bool', dims: [1] },
            A: { dtype: 'float32', dims: [1] },
            D: { dtype: 'float32', dims: [1] },
            logits: { dtype: 'float32', dims: [2] },
        });
    });

    it('accepts feeds laid out per example, taking their dtype from the model inputs', async () => {
        const feed = { data: Float32Array.of(9, 9, 9, 1, 2, 3), offset: 3, dims: [3] };
        const types = await probeTensorTypes(residualModel(), ['h1', 'h2'], { x: feed }, { dtype: () => 'float32' });
        expect(types.get('h2')).toEqual({ dtype: 'float32', dims: [4] });
    });
});
