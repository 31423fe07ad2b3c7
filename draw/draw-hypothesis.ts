// The drawing in one call: G and a lowered hypothesis (and node effects, when a scrub computed
// them) to a laid-out scene and its SVG. Engine-free: no onnxruntime, no Langium, no editor; the
// CLI's `hyp draw` and the language server's drawing request both come through here.
import type { HypothesisSpec } from '../engine/spec.js';
import { layoutScene, type DrawingLayout } from './layout.js';
import { renderSvg, type SvgOptions } from './render-svg.js';
import { buildScene, type DrawnGraph, type SceneOptions } from './scene.js';

export interface Drawing {
    layout: DrawingLayout;
    svg: string;
}

/** Lays out and renders `hypothesis` over G. */
export async function drawHypothesis(g: DrawnGraph, hypothesis: HypothesisSpec, options: SceneOptions & SvgOptions = {}): Promise<Drawing> {
    const layout = await layoutScene(buildScene(g, hypothesis, options));
    return { layout, svg: renderSvg(layout, options) };
}
