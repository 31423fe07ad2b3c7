// Pruned clean passes: onnxruntime runs every node of a session whatever outputs a run fetches
// (microsoft/onnxruntime#16483: pruning to the fetches exists only in training builds), so a clean
// run that needs only early tensors (an example read only as a draw of an early-layer node) paid
// for the whole model. These helpers find the nodes a set of tensors needs and cut the model down
// to them; the runner keeps a session per pruned node set (execute/model-runner.ts).
import { create } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, ValueInfoProtoSchema, type ModelProto } from 'onnx-buf';
import { nodeInputs } from '../onnx/node-inputs.js';

/** Which of a model's nodes each tensor needs (its ancestors), for choosing a pruned clean model. */
export class ModelAncestry {
    private readonly producer = new Map<string, number>();
    private readonly inputsOf: number[][];
    readonly nodeCount: number;

    constructor(private readonly model: ModelProto) {
        const nodes = model.graph!.node;
        this.nodeCount = nodes.length;
        nodes.forEach((n, i) => { for (const o of n.output) if (o !== '') this.producer.set(o, i); });
        this.inputsOf = nodes.map(n => nodeInputs(n).map(t => this.producer.get(t) ?? -1).filter(p => p >= 0));
    }

    /** The nodes computing `tensors` (a mask over the graph's nodes) and how many they are. */
    nodesFor(tensors: Iterable<string>): { mask: Uint8Array; kept: number } {
        const mask = new Uint8Array(this.nodeCount);
        const stack: number[] = [];
        for (const t of tensors) {
            const p = this.producer.get(t);
            if (p !== undefined) stack.push(p);
        }
        let kept = 0;
        while (stack.length > 0) {
            const i = stack.pop()!;
            if (mask[i] === 1) continue;
            mask[i] = 1;
            kept++;
            for (const p of this.inputsOf[i]) if (mask[p] === 0) stack.push(p);
        }
        return { mask, kept };
    }

    /** Whether a node of the mask produces the tensor. */
    produces(mask: Uint8Array, tensor: string): boolean {
        const p = this.producer.get(tensor);
        return p !== undefined && mask[p] === 1;
    }

    /**
     * The model cut down to the masked nodes (in file order, so still topologically sorted), the
     * initializers and graph inputs they read, with `outputs` (produced by those nodes) as its
     * outputs, untyped (onnxruntime infers them). Shares messages with the model: do not mutate either.
     */
    pruned(mask: Uint8Array, outputs: readonly string[]): ModelProto {
        const graph = this.model.graph!;
        const node = graph.node.filter((_, i) => mask[i] === 1);
        const read = new Set(node.flatMap(n => nodeInputs(n)));
        return create(ModelProtoSchema, {
            irVersion: this.model.irVersion,
            opsetImport: this.model.opsetImport,
            producerName: 'hyp',
            functions: this.model.functions,
            graph: create(GraphProtoSchema, {
                name: 'pruned clean pass',
                node,
                initializer: graph.initializer.filter(t => read.has(t.name)),
                input: graph.input.filter(i => read.has(i.name)),
                output: outputs.map(t => create(ValueInfoProtoSchema, { name: t })),
                valueInfo: graph.valueInfo.filter(v => read.has(v.name)),
            }),
        });
    }
}
