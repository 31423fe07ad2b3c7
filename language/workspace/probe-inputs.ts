// The inputs of the probe run that gives a model its real shapes (engine/graph/probe.ts): the
// model's inputs on the dataset's first two rows, built by the engine's own code as a scrub builds
// them. Undefined when they cannot be built (a binding the fast checks report, a row that does
// not fit, a binding that calls the features module): G then uses the file's declared shapes.
import type { Dataset } from '../../engine/dataset/dataset.js';
import { compileExpr } from '../../engine/features/evaluate.js';
import { buildInputColumn, modelInputsOf, type InputColumn } from '../../engine/execute/model-inputs.js';
import { probeFeeds, type ProbeFeed } from '../../engine/graph/probe.js';
import type { ModelGraph } from '../../engine/graph/types.js';
import * as ast from '../generated/ast.js';
import { lowerDataset } from '../lowering/hyp-lowering.js';
import type { DocumentAnalysis } from './hyp-document-analysis.js';
import { bindingHasProblems } from './document-inputs.js';

/** The probe's feeds for a model, a dataset and the dataset block binding them; with `rows`, the numeric pass's (the first `rows` rows). */
export function documentProbeFeeds(graph: ModelGraph, dataset: Dataset, decl: ast.DatasetDecl,
    analysis: Pick<DocumentAnalysis, 'fieldTypes' | 'functionNames'>, rows?: number): ProbeFeed[] | undefined {
    if (dataset.rows.length === 0 || graph.inputs.length === 0) return undefined;
    const bindings = new Map((decl.members ?? []).filter(ast.isInputBinding).filter(b => b.name !== undefined).map(b => [b.name, b]));
    for (const name of graph.inputs) {
        const b = bindings.get(name);
        if (!b || bindingHasProblems(b, analysis)) return undefined;
    }
    const head: Dataset = { ...dataset, rows: dataset.rows.slice(0, rows ?? 2), rowLines: dataset.rowLines.slice(0, rows ?? 2) };
    const evaluate = (expr: Parameters<typeof compileExpr>[0], row: Record<string, unknown>) => compileExpr(expr)({ values: row });
    const columns = new Map<string, InputColumn>();
    try {
        const spec = lowerDataset(decl, dataset.path);
        for (const name of graph.inputs) columns.set(name, buildInputColumn(graph, head, spec, name, evaluate));
    } catch {
        // The slow data checks report the row.
        return undefined;
    }
    return probeFeeds(modelInputsOf(graph.inputs, columns, head.rows.length), rows);
}
