"""A small transformer written the ordinary PyTorch way, trained briefly and exported raw.

The fixture for models hyp did not build: nothing here names hook points or adds outputs for
hyp; the ONNX file is what `torch.onnx.export` writes. Run once (Debian's python3-torch):

    /usr/bin/python3 examples/torch-export/export.py

It writes tiny_gpt.onnx (opset 17, dynamic batch axis), tiny_gpt.jsonl (the scrubbing dataset)
and build-info.json (what this run measured). CI never runs it: the outputs are committed.
"""
import json
import math
import os
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, SEQ, D_MODEL, HEADS, LAYERS = 12, 16, 32, 4, 2
SEED, STEPS, BATCH, ROWS = 0, 600, 128, 512


class Attention(nn.Module):
    def __init__(self, d_model=D_MODEL, heads=HEADS, seq=SEQ):
        super().__init__()
        self.d_model, self.heads = d_model, heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.register_buffer('mask', torch.tril(torch.ones(seq, seq)).view(1, 1, seq, seq))

    def forward(self, x):
        b, t, d = x.size()
        q, k, v = self.qkv(x).split(self.d_model, dim=2)
        q = q.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float('-inf'))
        att = F.softmax(att, dim=-1)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(b, t, d)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d_model=D_MODEL, heads=HEADS, seq=SEQ, d_mlp=4 * D_MODEL):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = Attention(d_model, heads, seq)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_mlp), nn.GELU(), nn.Linear(d_mlp, d_model))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """The sizes are this file's by default; bench/gpt2/export_gpt2_torch.py builds GPT-2 small's
    with the same code (bump its VERSION when this architecture changes, or the bench keeps its
    old export)."""

    def __init__(self, vocab=VOCAB, seq=SEQ, d_model=D_MODEL, heads=HEADS, layers=LAYERS, d_mlp=4 * D_MODEL):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(seq, d_model)
        self.blocks = nn.ModuleList([Block(d_model, heads, seq, d_mlp) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab, bias=False)

    def forward(self, tokens):
        t = tokens.size(1)
        x = self.tok(tokens) + self.pos(torch.arange(t, device=tokens.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def sequences(n, rng):
    """Uniform random tokens; the behaviour is copying the previous token (next-token target = tokens[p - 1])."""
    return [[rng.randrange(VOCAB) for _ in range(SEQ)] for _ in range(n)]


def main():
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model = TinyGPT()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(STEPS):
        x = torch.tensor(sequences(BATCH, rng))
        logits = model(x)
        # At position p the model predicts tokens[p - 1]: a previous-token task (positions 1..).
        loss = F.cross_entropy(logits[:, 1:].reshape(-1, VOCAB), x[:, :-1].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()

    data_rng = random.Random(SEED + 1)
    rows = []
    for tokens in sequences(ROWS, data_rng):
        pos = data_rng.randrange(1, SEQ)
        rows.append({'tokens': tokens, 'pos': pos, 'prev': tokens[pos - 1]})
    with torch.no_grad():
        x = torch.tensor([r['tokens'] for r in rows])
        logits = model(x)
        at = logits[torch.arange(ROWS), torch.tensor([r['pos'] for r in rows])]
        target = torch.tensor([r['prev'] for r in rows])
        eval_loss = F.cross_entropy(at, target).item()
        accuracy = (at.argmax(-1) == target).float().mean().item()

    onnx_path = os.path.join(HERE, 'tiny_gpt.onnx')
    torch.onnx.export(model, (x[:2],), onnx_path, opset_version=17, input_names=['tokens'],
                      output_names=['logits'], dynamic_axes={'tokens': {0: 'batch'}, 'logits': {0: 'batch'}})
    with open(os.path.join(HERE, 'tiny_gpt.jsonl'), 'w') as f:
        for r in rows:
            f.write(json.dumps(r, separators=(',', ':')) + '\n')
    info = {'torch': torch.__version__, 'seed': SEED, 'steps': STEPS, 'batch': BATCH, 'final_train_loss': round(loss.item(), 4),
            'dataset_rows': ROWS, 'dataset_loss': round(eval_loss, 4), 'dataset_accuracy': round(accuracy, 4),
            'vocab': VOCAB, 'seq': SEQ, 'd_model': D_MODEL, 'heads': HEADS, 'layers': LAYERS, 'opset': 17}
    with open(os.path.join(HERE, 'build-info.json'), 'w') as f:
        json.dump(info, f, indent=2)
        f.write('\n')
    print(json.dumps(info))


if __name__ == '__main__':
    main()
