import { it } from 'vitest';
import { makeSmallTrajectory, makeWideTrajectory } from '/work/main/packages/viewer/test/make-trajectories.js';
it('x', async () => {
  let t0 = Date.now();
  const small = await makeSmallTrajectory();
  console.log('small', Date.now() - t0, JSON.stringify(small).length, small.steps.length, small.steps[0].subcalls.map(s => s.op + ' ' + (s.child ? 'child' : '')));
  console.log(JSON.stringify(small.result.usage.total), small.result.costUsd);
  t0 = Date.now();
  const wide = await makeWideTrajectory(5000);
  console.log('wide', Date.now() - t0, JSON.stringify(wide).length, wide.steps[0].subcalls.length);
});
