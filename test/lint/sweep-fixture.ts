// A sweep pipeline's source for the lint tests that go through the front end
// (sweep-points.test.ts, sarif-validate.test.ts). Six points: three inflations x two
// seeds. `balance` warns on vanilla and adainf with different g (two warnings at one
// caret), `vanilla-inflation` on vanilla only; the unknown rule in the lint block
// (`lint-config`) and the colour ops on grey digits (`noop-ops`) are the same on every
// point.
export const SWEEP = `pipeline grid from simclr {
  data {
    real = mnist(split = train, size = 1_000)
    generated = npz("gen.npz", size = 10_000, fid = 5, channels = rgb)
    eval = mnist(split = test)
  }
  model { backbone = convnet(channels = (32, 64, 128)) }
  train { steps = 300; batch_size = 64; schedule = warmup_cosine(warmup = 30 steps) }
  lint { allow(no-such-rule) }
  sweep {
    axis inflation {
      none { inflate { real x 1 } }
      vanilla { inflate { real x 1; generated x 1 } }
      adainf { inflate { real x 10; generated x 1 } }
    }
    seed = [0, 1]
  }
}
`;
