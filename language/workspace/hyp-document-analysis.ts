// Everything validation, lowering and hovers need to know about a document beyond its syntax:
// the loaded model, dataset and features module, the graph spec and the derived G. Computed once
// per document text and loaded files, so that the many checks of one validation share it.
import type { LangiumDocument } from 'langium';
import type { Dataset } from '../../engine/dataset/dataset.js';
import { deriveG } from '../../engine/graph/derive-g.js';
import type { GraphG, GraphProblem, ModelGraph } from '../../engine/graph/types.js';
import type { RewritePatch } from '../../engine/graph/rewrite.js';
import { fromFieldType, type FeatureType } from '../../engine/features/types.js';
import type { GraphSpec } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { declaredGraphNodes, lowerGraph, vectorsOf, type VectorReader } from '../lowering/lower-graph.js';
import type { HypWorkspaceData, Loaded } from './hyp-workspace-data.js';
import { refineModelGraph, type ModelProbe, type ProbeFeed } from '../../engine/graph/probe.js';
import { documentProbeFeeds } from './probe-inputs.js';
import { claimedEdges } from './claimed-edges.js';
import type { NumericBudgetFrom } from './numeric-budget-setting.js';
import { PERTURB_ROWS, perturbPlan, type PartEvidence, type PerturbQuery, type PerturbRequest, type SkippedChild } from '../../engine/graph/perturb-queries.js';

/** A declaration of a file and, when its path could be resolved, the loaded file. */
export interface DeclaredFile<D, T> {
    decl: D;
    loaded?: Loaded<T>;
}

export interface DocumentAnalysis {
    file: ast.HypFile;
    model?: DeclaredFile<ast.ModelDecl, ModelGraph>;
    dataset?: DeclaredFile<ast.DatasetDecl, Dataset>;
    features?: DeclaredFile<ast.FeaturesDecl, string[]>;
    graphSpec: GraphSpec;
    /**
     * G and the problems found deriving it, when the model loaded; `graph` is the model graph G
     * was derived on (modelGraph with the hooks' rewrites into sums of parts made in it).
     */
    derived?: { g: GraphG; problems: GraphProblem[]; graph: ModelGraph; rewrites?: RewritePatch };
    /** Why G could not be derived from a model that loaded. */
    deriveError?: string;
    /**
     * The G node names: G's and those the graph block declares, so that a hook whose tensor is
     * unknown (its own error) does not also make every reference to it an error.
     */
    graphNodes: ReadonlySet<string>;
    /** Dataset field types, when the dataset loaded. */
    fieldTypes?: ReadonlyMap<string, FeatureType>;
    /** Functions of the features module (empty without one). */
    functionNames: ReadonlySet<string>;
    /**
     * The model graph G was derived from: the file's, refined by the probe run (real shapes,
     * per-example tensors) once a prober has run it; undefined when the model did not load.
     */
    modelGraph?: ModelGraph;
    /** Subspace parts whose vector file cannot be read or holds no vectors (graph-checks.ts reports them). */
    vectorProblems: { part: ast.SubspacePart; message: string }[];
    /**
     * The numeric pass over G's over-approximated part-level edges (graph/perturb-queries.ts), when
     * it has run: the first call starts it (with a perturber, after the probe), pending meanwhile
     * (undefined). Absent without a probe.
     * `start` false: the evidence of a pass some check started, never a new run.
     */
    numericEvidence?: (start?: boolean) => PartEvidence | undefined;
    /**
     * What the numeric pass tests and how it went, for saying when it did not (validation/
     * numeric-pass-checks.ts); the first call starts it as numericEvidence does. Undefined without
     * a perturber (no pass is run, nothing to say), and absent where numericEvidence is.
     */
    numericPass?: () => NumericPass | undefined;
    /**
     * The pass's plan alone (which children it tests, which a bound keeps untested), without running
     * it; undefined without a perturber. With `scale`: what it would be with the parts and work
     * bounds `scale` times what they are (not cached), for saying how far to raise them.
     */
    numericPlan?: (scale?: number) => Pick<NumericPass, 'queries' | 'skipped'> | undefined;
    /**
     * The factor the pass's bounds are raised by (1: the defaults), and whether it is `hyp check
     * --numeric-budget` or the editor's `hyp.numericBudget`.
     */
    numericBudget?: () => { budget: number; from: NumericBudgetFrom };
    /**
     * Why the editor's `hyp.numericBudget` cannot be used, where the numeric pass would otherwise
     * run: it does not (numericEvidence, numericPass and numericPlan are then absent).
     */
    numericBudgetProblem?: string;
}

/** The numeric pass of a document: its plan, and its evidence once it has run or why it failed. */
export interface NumericPass {
    /** The children it tests, and those a bound keeps untested. */
    queries: readonly PerturbQuery[];
    skipped: readonly SkippedChild[];
    /** Set once it has run; undefined while it runs, when it failed, or when it asks nothing. */
    evidence?: PartEvidence;
    /** Why it failed as a whole (onnxruntime, a probe process that crashed or timed out). */
    error?: string;
}

/** The refined graph of a loaded model and a probe, made once (G's part-level edges are cached per graph object). */
const refinedGraphs = new WeakMap<ModelProbe, { graph: ModelGraph; refined: ModelGraph }>();
function refined(graph: ModelGraph, probe: ModelProbe): ModelGraph {
    const hit = refinedGraphs.get(probe);
    if (hit?.graph === graph) return hit.refined;
    const made = refineModelGraph(graph, probe);
    refinedGraphs.set(probe, { graph, refined: made });
    return made;
}

interface Entry {
    text: string;
    loaded: unknown[];
    /** The numeric pass's bounds and budget it was made under (HypWorkspaceData.numericVersion). */
    numericVersion: number;
    analysis: DocumentAnalysis;
}

export class HypDocumentAnalysis {
    private readonly data: HypWorkspaceData;
    private readonly cache = new WeakMap<LangiumDocument, Entry>();
    private readonly feeds = new WeakMap<Dataset, { model: ModelGraph; text: string; functions: number; feeds: ProbeFeed[] | undefined }>();

    constructor(services: HypServices) {
        this.data = services.workspace.HypWorkspaceData;
    }

    /** The analysis of a document (cached while its text and the files it loads are unchanged). */
    analyze(document: LangiumDocument): DocumentAnalysis {
        const file = document.parseResult.value as ast.HypFile;
        const model = this.declared(document, file.elements.find(ast.isModelDecl), p => this.data.model(p));
        const dataset = this.declared(document, file.elements.find(ast.isDatasetDecl), p => this.data.dataset(p));
        const features = this.declared(document, file.elements.find(ast.isFeaturesDecl), p => this.data.featureExports(p));
        const fieldTypes = dataset?.loaded?.ok
            ? new Map(dataset.loaded.value.fields.map(f => [f.name, fromFieldType(f.type)]))
            : undefined;
        const functionNames = new Set(features?.loaded?.ok ? features.loaded.value : []);
        const probe = this.probe(model?.loaded, dataset, { fieldTypes, functionNames });
        // Subspace vectors read from files: their loads are part of what the analysis depends on.
        const vectorLoads: unknown[] = [];
        const vectorReader: VectorReader = (p, key) => {
            const path = this.data.resolvePath(document, p);
            if (path === undefined) return { error: `cannot resolve "${p}": the document is not on disk` };
            const read = this.data.vectorFile(path);
            vectorLoads.push(read);
            return read.ok ? vectorsOf(read.value, key) : { error: read.error };
        };
        const vectorProblems: DocumentAnalysis['vectorProblems'] = [];
        for (const part of file.elements.filter(ast.isGraphDecl).flatMap(g => g.members).filter(ast.isHookPoint)
            .flatMap(h => (ast.isSubspaceSplit(h.split) ? h.split.parts : []))) {
            if (part.file === undefined) continue;
            const read = vectorReader(part.file, part.key);
            if ('error' in read) vectorProblems.push({ part, message: `cannot read the vectors of part "${part.name}" from "${part.file}": ${read.error}` });
        }
        const loaded = [model?.loaded, dataset?.loaded, features?.loaded, probe, ...vectorLoads];
        vectorLoads.length = 0;
        const text = document.textDocument.getText();
        const hit = this.cache.get(document);
        const numericVersion = this.data.numericVersion;
        if (hit && hit.text === text && hit.numericVersion === numericVersion && hit.loaded.every((l, i) => l === loaded[i])) return hit.analysis;

        const graphSpec = lowerGraph(file, vectorReader, document.uri.scheme === 'file' ? document.uri.fsPath : undefined);
        let derived: DocumentAnalysis['derived'];
        let deriveError: string | undefined;
        // Real shapes, and which tensors are per example, once the probe has run.
        const modelGraph = model?.loaded?.ok ? (probe?.ok ? refined(model.loaded.value, probe.value) : model.loaded.value) : undefined;
        if (modelGraph !== undefined) {
            try {
                derived = deriveG(modelGraph, graphSpec);
            } catch (e) {
                // Reported on the model declaration; the model itself stays usable (completion, hovers).
                deriveError = `cannot derive the graph: ${(e as Error).message}`;
            }
        }
        // G decides the input's parts (whether `input.rest` exists); the graph block names the hooks.
        // G also decides whether a split hook has a `.rest` (not when its parts cover the tensor).
        const derivedNames = derived ? [...derived.g.nodes.keys()] : [];
        const emptyRest = (n: string) => n.endsWith('.rest') && !derived!.g.nodes.has(n)
            && derivedNames.some(d => d.startsWith(n.slice(0, -'rest'.length)));
        const declared = declaredGraphNodes(graphSpec).filter(n => !derived || (n !== 'input' && !n.startsWith('input.') && !emptyRest(n)));
        const graphNodes = new Set([...(derived ? derived.g.nodes.keys() : []), ...declared]);
        const analysis: DocumentAnalysis = { file, model, dataset, features, graphSpec, derived, deriveError, graphNodes, fieldTypes, functionNames, modelGraph, vectorProblems };
        const numericBudgetProblem = this.data.perturbs ? this.data.numericBudgetProblem : undefined;
        // A setting the pass cannot use: it does not run (on the defaults or otherwise); the model line says why.
        if (numericBudgetProblem !== undefined && derived !== undefined && probe?.ok && dataset?.loaded?.ok) analysis.numericBudgetProblem = numericBudgetProblem;
        else if (derived !== undefined && modelGraph !== undefined && probe?.ok && model?.loaded?.ok && dataset?.loaded?.ok) {
            const path = model.loaded.path, g = derived.g, graph = model.loaded.value, data = dataset.loaded.value, decl = dataset.decl;
            // Hooks rewritten into sums of parts: their parts are tensors of the rewritten model, which the pass runs (the patch travels with the request).
            const rewritten = derived.graph, rewrites = derived.rewrites !== undefined && derived.rewrites.hooks.size > 0 ? derived.rewrites : undefined;
            // Built on first use: a file whose edges are never checked never runs it.
            let plan: ReturnType<typeof perturbPlan> | undefined;
            let claimed: Set<string> | undefined;
            const scaledPlans = new Map<string, ReturnType<typeof perturbPlan>>();
            let request: PerturbRequest | null | undefined;
            // Every edge check asks: once the pass has ended (or failed), the answer is kept.
            let ended: { value?: PartEvidence; error?: string } | undefined;
            // The file's claimed edges are planned first: where the bounds cannot cover every child, they cover what is claimed.
            const planned = () => plan ??= perturbPlan(g, rewritten, this.data.perturbBounds, claimed ??= claimedEdges(file, g));
            const run = (start = true): typeof ended => {
                if (ended !== undefined || (!start && request === undefined)) return ended;
                plan = planned();
                if (request === undefined) {
                    const feeds = plan.queries.length > 0 ? documentProbeFeeds(graph, data, decl, { fieldTypes, functionNames }, PERTURB_ROWS) : undefined;
                    request = feeds === undefined ? null : { queries: plan.queries, feeds, ...(rewrites && { rewrites }) };
                }
                const ran = request === null ? undefined : this.data.perturbation(path, request);
                if (ran?.ok === false && ran.pending) return undefined;
                ended = ran === undefined ? {} : ran.ok ? { value: ran.value } : { error: ran.error };
                return ended;
            };
            analysis.numericEvidence = (start = true) => run(start)?.value;
            // Without a perturber no pass runs: nothing was left untested by it.
            analysis.numericPlan = scale => {
                if (!this.data.perturbs) return undefined;
                if (scale === undefined) return planned();
                // Kept per text like the plan: numeric-pass-skipped asks on every validation (the typing path).
                const bounds = { ...this.data.perturbBounds, parts: Math.floor(this.data.perturbBounds.parts * scale), work: this.data.perturbBounds.work * scale };
                const key = JSON.stringify(bounds);
                let scaled = scaledPlans.get(key);
                if (scaled === undefined) scaledPlans.set(key, scaled = perturbPlan(g, rewritten, bounds, claimed ??= claimedEdges(file, g)));
                return scaled;
            };
            analysis.numericBudget = () => ({ budget: this.data.numericBudget, from: this.data.numericBudgetFrom });
            analysis.numericPass = () => {
                if (!this.data.perturbs) return undefined;
                const state = run();
                return { ...planned(), ...(state?.value && { evidence: state.value }), ...(state?.error !== undefined && { error: state.error }) };
            };
        }
        this.cache.set(document, { text, loaded, numericVersion, analysis });
        return analysis;
    }

    /** The probe of the document's model on its dataset's first rows, when a prober runs them (see HypWorkspaceData.probe). */
    private probe(model: Loaded<ModelGraph> | undefined, dataset: DeclaredFile<ast.DatasetDecl, Dataset> | undefined,
        types: Pick<DocumentAnalysis, 'fieldTypes' | 'functionNames'>): Loaded<ModelProbe> | undefined {
        if (!model?.ok || !dataset?.loaded?.ok) return undefined;
        // Built once per dataset block text and loaded files: every check of a validation asks.
        const text = dataset.decl.$cstNode?.text ?? '';
        const hit = this.feeds.get(dataset.loaded.value);
        let feeds: ProbeFeed[] | undefined;
        if (hit && hit.model === model.value && hit.text === text && hit.functions === types.functionNames.size) feeds = hit.feeds;
        else {
            feeds = documentProbeFeeds(model.value, dataset.loaded.value, dataset.decl, types);
            this.feeds.set(dataset.loaded.value, { model: model.value, text, functions: types.functionNames.size, feeds });
        }
        return feeds === undefined ? undefined : this.data.probe(model.path, model.value, feeds);
    }

    private declared<D extends { path: string }, T>(document: LangiumDocument, decl: D | undefined,
        load: (path: string) => Loaded<T>): DeclaredFile<D, T> | undefined {
        if (decl === undefined) return undefined;
        const path = this.data.resolvePath(document, decl.path);
        return { decl, loaded: path === undefined ? undefined : load(path) };
    }
}
