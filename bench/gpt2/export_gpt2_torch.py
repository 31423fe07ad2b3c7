"""The bench's GPT-2-small-shaped model written the ordinary PyTorch way and exported raw (issue 14).

The same architecture as bench/gpt2/build-gpt2.ts (12 layers, 12 heads, d_model 768, MLP 3072,
context 128, vocabulary 1,024) as a researcher writes it: nn.Embedding, nn.LayerNorm, a fused qkv
nn.Linear, hand-written causal attention, a GELU MLP (examples/torch-export/export.py's TinyGPT at
these sizes: one copy of the architecture), seeded random weights (GPT-2's std 0.02; no
training: the numbers a scrub gives mean nothing, its cost is what is measured). Nothing here names
hook points or adds outputs for hyp: the ONNX file is what `torch.onnx.export` writes (opset 17,
dynamic batch axis), so the hypotheses (gpt2_torch.hyp) name its raw tensors.

    /usr/bin/python3 bench/gpt2/export_gpt2_torch.py

writes bench/gpt2/gpt2_torch.onnx (ignored by git, about 350 MB) and gpt2_torch-stamp.json. The
dataset is the builder's bench/gpt2/gpt2.jsonl (the same token sequences). The bench cases
`gpt2-torch/*` run it when torch is importable (Debian's python3-torch) and skip, saying so,
where it is not; CI never runs it.
"""
import importlib.util
import json
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, SEQ, D_MODEL, HEADS, LAYERS, D_MLP = 1024, 128, 768, 12, 12, 3072
SEED = 14
# Bumped whenever the model this file writes changes: the bench rebuilds a file with another stamp.
VERSION = 1


def tiny_gpt_module():
    """examples/torch-export/export.py, whose TinyGPT is the architecture at any size: one copy of it."""
    path = os.path.join(HERE, '..', '..', 'examples', 'torch-export', 'export.py')
    spec = importlib.util.spec_from_file_location('tiny_gpt_export', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def init_weights(model):
    """GPT-2's initialisation: normal weights of std 0.02, zero biases, unit LayerNorms."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    torch.manual_seed(SEED)
    model = tiny_gpt_module().TinyGPT(VOCAB, SEQ, D_MODEL, HEADS, LAYERS, D_MLP)
    init_weights(model)
    model.eval()
    x = torch.randint(0, VOCAB, (2, SEQ))
    onnx_path = os.path.join(out, 'gpt2_torch.onnx')
    with torch.no_grad():
        torch.onnx.export(model, (x,), onnx_path, opset_version=17, input_names=['tokens'],
                          output_names=['logits'], dynamic_axes={'tokens': {0: 'batch'}, 'logits': {0: 'batch'}})
    info = {'version': VERSION, 'torch': torch.__version__, 'seed': SEED, 'vocab': VOCAB, 'seq': SEQ, 'd_model': D_MODEL,
            'heads': HEADS, 'layers': LAYERS, 'd_mlp': D_MLP, 'opset': 17, 'bytes': os.path.getsize(onnx_path)}
    with open(os.path.join(out, 'gpt2_torch-stamp.json'), 'w') as f:
        json.dump(info, f)
    print(json.dumps(info))


if __name__ == '__main__':
    main()
