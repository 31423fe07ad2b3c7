// Training with tfjs on its WebAssembly backend, single-threaded (deterministic for a seed, and
// polite on a shared machine).
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** Selects the wasm backend with one thread. */
export async function useWasmBackend(): Promise<void> {
    setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
}

export interface TrainOptions {
    variables: tf.Variable[];
    steps: number;
    /** Learning rate at a step (warmup and decay live here). */
    lr: (step: number) => number;
    /** The loss of the step's batch; called inside a gradient tape. */
    loss: (step: number) => tf.Scalar;
    /** Called every `every` steps with the mean loss since the last call. */
    report: (step: number, meanLoss: number) => void;
    every: number;
}

/** Adam (β2 0.98) over the given steps. */
export function trainAdam(o: TrainOptions): void {
    const opt = tf.train.adam(o.lr(0), 0.9, 0.98, 1e-8);
    let acc = 0, count = 0;
    for (let step = 0; step < o.steps; step++) {
        // The optimizer reads its learning rate on every update.
        (opt as unknown as { learningRate: number }).learningRate = o.lr(step);
        const cost = opt.minimize(() => o.loss(step), true, o.variables);
        acc += cost!.dataSync()[0];
        count++;
        cost!.dispose();
        if ((step + 1) % o.every === 0 || step + 1 === o.steps) {
            o.report(step + 1, acc / count);
            acc = 0;
            count = 0;
        }
    }
    opt.dispose();
}

/** Linear warmup, then cosine decay to 10% of the peak. */
export function warmupCosine(peak: number, warmup: number, total: number): (step: number) => number {
    return step => {
        if (step < warmup) return peak * (step + 1) / warmup;
        const t = (step - warmup) / Math.max(1, total - warmup);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * t)));
    };
}

/** Mean softmax cross-entropy of logits [n, c] against one-hot labels (no gather: wasm lacks its gradient). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
    const oneHot = tf.cast(tf.oneHot(labels, classes), 'float32');
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), -1))) as tf.Scalar;
}
