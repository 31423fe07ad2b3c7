// A small builder for ONNX models in TypeScript: the bundled examples and the tests hand-build
// their models with it. Every tensor it creates is typed (inputs, outputs, intermediates), so the
// files it writes are self-describing for the language server.
import { create } from '@bufbuild/protobuf';
import {
    AttributeProtoSchema,
    AttributeProto_AttributeType as AT,
    GraphProtoSchema,
    ModelProtoSchema,
    NodeProtoSchema,
    OperatorSetIdProtoSchema,
    TensorProtoSchema,
    type AttributeProto,
    type ModelProto,
    type NodeProto,
    type TensorProto,
    type ValueInfoProto,
} from 'onnx-buf';
import { dtypeCode } from './dtype.js';
import { makeValueInfo } from './value-info.js';

/** An attribute value: a number is an int unless written as a `{ float }`, arrays likewise. */
export type AttributeValue =
    | number
    | { float: number }
    | string
    | readonly number[]
    | { floats: readonly number[] }
    | TensorProto;

/** Dims of a builder tensor: 'batch' (or any string) is a symbolic dim. */
export type Dims = readonly (number | string)[];

const OPSET = 17n;
const IR_VERSION = 10n;

/** Builds one ONNX graph (opset 17, ir_version 10) node by node. */
export class GraphBuilder {
    private readonly nodes: NodeProto[] = [];
    private readonly inputs: ValueInfoProto[] = [];
    private readonly outputs: ValueInfoProto[] = [];
    private readonly valueInfo: ValueInfoProto[] = [];
    private readonly initializers: TensorProto[] = [];
    private readonly names = new Set<string>();
    private readonly name: string;

    constructor(name: string) {
        this.name = name;
    }

    /** Declares a graph input. */
    input(name: string, dtype: string, dims: Dims): string {
        this.claim(name);
        this.inputs.push(makeValueInfo(name, dtype, dims));
        return name;
    }

    /** Adds a float32 or int64 initializer with the given dims. */
    initializer(name: string, data: Float32Array | BigInt64Array, dims: readonly number[]): string {
        this.claim(name);
        if (dims.reduce((a, b) => a * b, 1) !== data.length) {
            throw new Error(`initializer ${name}: ${data.length} values do not fill dims [${dims.join(', ')}]`);
        }
        this.initializers.push(tensorProto(name, data, dims));
        return name;
    }

    /**
     * Adds a node whose outputs are typed as given (every output gets a dtype and shape, so
     * intermediates carry value_info); returns the first output's name.
     */
    node(op: string, inputs: readonly string[], outputs: readonly { name: string; dtype: string; dims: Dims }[],
        attributes: Record<string, AttributeValue> = {}): string {
        for (const i of inputs) {
            if (i !== '' && !this.names.has(i)) throw new Error(`node ${op}: input "${i}" is not defined yet`);
        }
        for (const o of outputs) {
            this.claim(o.name);
            this.valueInfo.push(makeValueInfo(o.name, o.dtype, o.dims));
        }
        this.nodes.push(create(NodeProtoSchema, {
            name: `${op}_${this.nodes.length}`,
            opType: op,
            input: [...inputs],
            output: outputs.map(o => o.name),
            attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
        }));
        return outputs[0].name;
    }

    /** Marks a defined tensor as a graph output (its value_info moves to the output list). */
    output(name: string): string {
        const i = this.valueInfo.findIndex(v => v.name === name);
        if (i < 0) throw new Error(`output "${name}" is not a node output`);
        this.outputs.push(...this.valueInfo.splice(i, 1));
        return name;
    }

    /** The finished model. */
    build(): ModelProto {
        return create(ModelProtoSchema, {
            irVersion: IR_VERSION,
            producerName: 'hyp',
            opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: OPSET })],
            graph: create(GraphProtoSchema, {
                name: this.name,
                node: [...this.nodes],
                input: [...this.inputs],
                output: [...this.outputs],
                valueInfo: [...this.valueInfo],
                initializer: [...this.initializers],
            }),
        });
    }

    private claim(name: string): void {
        // ONNX requires single assignment; catching it here beats a late onnxruntime error.
        if (this.names.has(name)) throw new Error(`tensor "${name}" is defined twice`);
        this.names.add(name);
    }
}

/** A TensorProto holding float32 or int64 data (raw little-endian bytes, as exporters write). */
export function tensorProto(name: string, data: Float32Array | BigInt64Array, dims: readonly number[]): TensorProto {
    const le = new Uint8Array(data.byteLength);
    const view = new DataView(le.buffer);
    data.forEach((v: number | bigint, i: number) => {
        if (typeof v === 'bigint') view.setBigInt64(i * 8, v, true);
        else view.setFloat32(i * 4, v, true);
    });
    return create(TensorProtoSchema, {
        name,
        dims: dims.map(BigInt),
        dataType: dtypeCode(data instanceof Float32Array ? 'float32' : 'int64'),
        rawData: le,
    });
}

function attribute(name: string, v: AttributeValue): AttributeProto {
    if (typeof v === 'number') {
        if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an int (write { float: ${v} })`);
        return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) });
    }
    if (typeof v === 'string') return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
    if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
    if ('float' in v) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.float });
    if ('floats' in v) return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: [...v.floats] });
    return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: v as TensorProto });
}
