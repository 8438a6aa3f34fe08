import { packBatches } from './cycle';

const item = (projectId: string, volumeId: string) => ({
  p: { volume: { id: volumeId }, owner: { projectId } },
});

function projectOf(count: number, projectId: string) {
  return Array.from({ length: count }, (_, i) =>
    item(projectId, `${projectId}-v${i}`),
  );
}

describe('SNAP-23 batches', () => {
  it('takes projects smallest first and never splits one that fits', () => {
    const items = [
      ...projectOf(4, 'big'),
      ...projectOf(1, 'tiny'),
      ...projectOf(3, 'mid'),
      ...projectOf(2, 'small'),
    ];
    const batches = packBatches(items, 5);
    const projects = batches.map(b => [
      ...new Set(b.map(i => i.p.owner.projectId)),
    ]);
    expect(projects).toEqual([['tiny', 'small'], ['mid'], ['big']]);
    expect(batches.every(b => b.length <= 5)).toBe(true);
  });

  it('gives a project larger than the batch size batches of its own', () => {
    const batches = packBatches(
      [...projectOf(7, 'huge'), ...projectOf(1, 'a')],
      3,
    );
    expect(batches.map(b => b.map(i => i.p.owner.projectId))).toEqual([
      ['a'],
      ['huge', 'huge', 'huge'],
      ['huge', 'huge', 'huge'],
      ['huge'],
    ]);
  });

  it('counts volumes, not pairs: two policies of one volume take one place', () => {
    const twoPolicies = [item('p', 'v1'), item('p', 'v1'), item('p', 'v2')];
    expect(packBatches([...twoPolicies, ...projectOf(1, 'q')], 3)).toHaveLength(
      1,
    );
  });
});
