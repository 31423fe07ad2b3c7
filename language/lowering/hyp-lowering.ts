// A checked document → ScrubSpec, the engine's input: absolute paths, lowered expressions, run
// options merged (defaults ← file ← base hypotheses ← the hypothesis), nodes parents first.
import type { LangiumDocument } from 'langium';
import { HypError } from '../../engine/errors.js';
import { topologicalOrder } from '../../engine/features/feature-table.js';
import {
    DEFAULT_RUN_OPTIONS, type AblationMode, type DatasetSpec, type HypothesisSpec, type InterpNodeSpec, type MetricSpec,
    type RunOptions, type ScrubSpec, type UnimportantMode,
} from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import type { HypDocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import type { HypWorkspaceData } from '../workspace/hyp-workspace-data.js';
import { lowerIfComplete } from './lower-expression.js';
import { parentNames, resolveHypothesis } from './resolve-hypothesis.js';

export class HypLowering {
    private readonly data: HypWorkspaceData;
    private readonly analysis: HypDocumentAnalysis;

    constructor(services: HypServices) {
        this.data = services.workspace.HypWorkspaceData;
        this.analysis = services.workspace.HypDocumentAnalysis;
    }

    /** The spec of a document without errors; throws a HypError when a required declaration is missing. */
    lower(document: LangiumDocument): ScrubSpec {
        const file = document.parseResult.value as ast.HypFile;
        const where = { file: document.uri.fsPath };
        const model = file.elements.find(ast.isModelDecl);
        const dataset = file.elements.find(ast.isDatasetDecl);
        if (!model || !dataset) throw new HypError('the file declares no model or no dataset', 'spec-incomplete', where);
        const path = (p: string) => {
            const resolved = this.data.resolvePath(document, p);
            if (resolved === undefined) throw new HypError(`cannot resolve "${p}" relative to ${document.uri.toString()}`, 'path-unresolved', where);
            return resolved;
        };
        const features = file.elements.find(ast.isFeaturesDecl);
        const fileOptions = file.elements.filter(ast.isRunOption);
        return {
            modelPath: path(model.path),
            dataset: lowerDataset(dataset, path(dataset.path)),
            graph: this.analysis.analyze(document).graphSpec,
            metric: lowerMetric(file.elements.find(ast.isMetricDecl)),
            ...(features && { featuresModule: path(features.path) }),
            hypotheses: file.elements.filter(ast.isHypothesis).map(h => ({
                ...lowerHypothesis(h, fileOptions),
                source: { file: where.file, line: (h.$cstNode?.range.start.line ?? 0) + 1 },
            })),
        };
    }
}

/** The dataset block: input bindings, label, vocabulary. */
export function lowerDataset(decl: ast.DatasetDecl, absolutePath: string): DatasetSpec {
    const label = decl.members.find(ast.isLabelDecl);
    const vocabulary = decl.members.find(ast.isVocabularyDecl);
    return {
        path: absolutePath,
        inputs: decl.members.filter(ast.isInputBinding).flatMap(b => {
            const value = lowerIfComplete(b.value);
            return b.name === undefined || value === undefined ? [] : [{ onnxName: b.name, value }];
        }),
        ...(label?.field !== undefined && { label: label.field }),
        ...(vocabulary && {
            vocabulary: {
                tokens: Object.fromEntries(vocabulary.entries.filter(e => e.token !== undefined && e.id !== undefined).map(e => [e.token, e.id])),
                ...(vocabulary.bos !== undefined && { bos: vocabulary.bos }),
                ...(vocabulary.pad !== undefined && { pad: vocabulary.pad }),
            },
        }),
    };
}

/** The metric (cross_entropy when none is declared, which validation reports when hypotheses exist). */
export function lowerMetric(decl: ast.MetricDecl | undefined): MetricSpec {
    if (!decl) return { kind: 'cross_entropy' };
    const position = decl.index !== undefined ? { kind: 'index' as const, index: decl.index }
        : decl.field !== undefined ? { kind: 'field' as const, field: decl.field } : undefined;
    const at = position && { position };
    switch (decl.kind) {
        case 'logit_diff': return decl.args.length === 0 ? { kind: 'logit_diff_label', ...at } : { kind: 'logit_diff', a: decl.args[0] ?? 0, b: decl.args[1] ?? 1, ...at };
        case 'accuracy': return { kind: 'accuracy', ...at };
        case 'kl': return { kind: 'kl', ...at };
        default: return { kind: 'cross_entropy', ...at };
    }
}

/** One hypothesis with `extends` applied: its nodes parents first, the output node last, its options merged. */
export function lowerHypothesis(h: ast.Hypothesis, fileOptions: readonly ast.RunOption[] = []): HypothesisSpec {
    const resolved = resolveHypothesis(h);
    const nodes: InterpNodeSpec[] = [...resolved.nodes.values()].map(n => ({
        name: n.name,
        graphNode: n.target,
        // A feature the parser could not finish is a syntax error; until it is fixed the node has none.
        feature: lowerIfComplete(n.feature) ?? null,
        parents: parentNames(n),
    }));
    const output = resolved.outputs[0];
    nodes.push({ name: 'output', graphNode: 'output', feature: null, parents: output ? parentNames(output) : [] });
    return { name: h.name, nodes: topologicalOrder(nodes), options: mergeOptions([...fileOptions, ...resolved.options]) };
}

/** Applies options in order over the defaults (later ones win). */
export function mergeOptions(options: readonly ast.RunOption[]): RunOptions {
    const merged: RunOptions = { ...DEFAULT_RUN_OPTIONS };
    for (const o of options) {
        if (ast.isSamplesOption(o)) merged.samples = o.value;
        else if (ast.isSeedOption(o)) merged.seed = o.value;
        else if (ast.isUnimportantOption(o)) merged.unimportant = o.mode as UnimportantMode;
        else merged.ablation = o.mode as AblationMode;
    }
    return merged;
}
