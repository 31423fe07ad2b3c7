// Tensor types in ONNX's ValueInfoProto form, both ways.
import { create } from '@bufbuild/protobuf';
import {
    TensorShapeProtoSchema,
    TensorShapeProto_DimensionSchema,
    TypeProtoSchema,
    TypeProto_TensorSchema,
    ValueInfoProtoSchema,
    type ValueInfoProto,
} from 'onnx-buf';
import { dtypeCode, dtypeName } from './dtype.js';

/** A ValueInfoProto for a tensor; a string dim is symbolic (e.g. 'batch'). */
export function makeValueInfo(name: string, dtype: string, dims: readonly (number | string)[]): ValueInfoProto {
    const shape = create(TensorShapeProtoSchema, {
        dim: dims.map(d => create(TensorShapeProto_DimensionSchema, {
            value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
        })),
    });
    return create(ValueInfoProtoSchema, {
        name,
        type: create(TypeProtoSchema, {
            value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: dtypeCode(dtype), shape }) },
        }),
    });
}

/** The dtype and shape a ValueInfoProto declares; null parts where the file does not say. */
export function valueInfoType(info: ValueInfoProto): { dtype: string | null; shape: (number | string)[] | null } {
    const t = info.type?.value;
    if (t?.case !== 'tensorType') return { dtype: null, shape: null };
    const dtype = t.value.elemType === 0 ? null : dtypeName(t.value.elemType);
    const shape = t.value.shape === undefined
        ? null
        // A dim with neither value nor param is unknown; '?' keeps the rank visible in hovers.
        : t.value.shape.dim.map(d => d.value.case === 'dimValue' ? Number(d.value.value)
            : d.value.case === 'dimParam' && d.value.value !== '' ? d.value.value : '?');
    return { dtype, shape };
}
