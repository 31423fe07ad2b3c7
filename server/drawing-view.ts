// The hypothesis graph view's data: the drawing of one hypothesis over the document's G (draw/),
// with where each box is declared so that a click can reveal it. A document with errors has no
// honest picture: the view says why, and the client keeps showing the last good one.
import { AstUtils, type AstNode, type LangiumDocument } from 'langium';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drawHypothesis } from '../draw/draw-hypothesis.js';
import type { NodeEffect } from '../draw/scene.js';
import type { DrawingView } from '../language/communication/rpc.js';
import * as ast from '../language/generated/ast.js';
import type { HypServices } from '../language/hyp-module.js';
import { resolveHypothesis } from '../language/lowering/resolve-hypothesis.js';

/** The drawing of `hypothesis` in `document` as it is now (validated), with node effects when a fresh scrub computed them. */
export async function drawingView(Hyp: HypServices, document: LangiumDocument, hypothesis: string, effects?: Record<string, NodeEffect>): Promise<DrawingView> {
    const errors = (document.diagnostics ?? []).filter(d => d.severity === 1);
    if (errors.length > 0) {
        const first = errors[0];
        return { hypothesis, problem: `the file has ${errors.length} error${errors.length > 1 ? 's' : ''} (line ${first.range.start.line + 1}: ${first.message})` };
    }
    const file = document.parseResult.value as ast.HypFile;
    const declared = file.elements.filter(ast.isHypothesis).find(h => h.name === hypothesis);
    if (!declared) return { hypothesis, problem: `the file has no hypothesis "${hypothesis}"` };
    const analysis = Hyp.workspace.HypDocumentAnalysis.analyze(document);
    const g = analysis.derived?.g;
    if (!g) return { hypothesis, problem: 'the model has not been read yet' };
    let spec;
    try {
        spec = Hyp.lowering.HypLowering.lower(document).hypotheses.find(h => h.name === hypothesis);
    } catch (e) {
        return { hypothesis, problem: `the hypothesis does not lower: ${(e as Error).message}` };
    }
    if (!spec) return { hypothesis, problem: `the file has no hypothesis "${hypothesis}"` };
    const name = document.uri.scheme === 'file' ? basename(fileURLToPath(document.uri.toString())) : document.uri.path.split('/').pop();
    // Inert edges once the numeric pass the edge checks started has ended (never a run of its own).
    const numeric = analysis.numericEvidence?.(false);
    const { layout, svg } = await drawHypothesis(g, spec, { ...(effects && { effects }), ...(name && { subtitle: name }), ...(numeric && { numeric }) });

    // Where to go on a click: an I node's declaration (an inherited one in its base), the output
    // statement, else the hook point or part in the graph block.
    const resolved = resolveHypothesis(declared);
    const graph = file.elements.find(ast.isGraphDecl);
    const hookDecl = (gNode: string): AstNode | undefined => {
        const [hook, part] = gNode.split('.');
        const decl = hook === 'input' ? graph?.members.find(ast.isInputSplit) : graph?.members.find(m => ast.isHookPoint(m) && m.name === hook);
        if (!decl || part === undefined) return decl;
        return AstUtils.streamAst(decl).find(n => (n as { name?: unknown }).name === part) ?? decl;
    };
    const locations: NonNullable<DrawingView['locations']> = {};
    for (const b of layout.boxes) {
        const node: AstNode | undefined = b.kind === 'output' ? resolved.outputs[0]
            : b.claim ? resolved.nodes.get(b.claim.interpNodes[0])
                : hookDecl(b.gNodes[0] ?? b.label);
        const start = node?.$cstNode?.range.start;
        if (start) locations[b.id] = { line: start.line, character: start.character };
    }
    return { hypothesis, svg, locations };
}
