import { Collection } from './collection';

describe('Collection.where', () => {
  const ids = (items: Iterable<{ id: string }>) =>
    [...items].map(i => i.id).sort();

  it('keeps its index through add, replace, remove and load', () => {
    const c = new Collection<{ id: string; project: string }>('id', [
      { id: 'a', project: 'p1' },
      { id: 'b', project: 'p2' },
    ]);
    expect(ids(c.where('project', 'p1'))).toEqual(['a']);

    c.add({ id: 'c', project: 'p1' });
    expect(ids(c.where('project', 'p1'))).toEqual(['a', 'c']);

    // adding an existing id replaces the item, also in the index
    c.add({ id: 'a', project: 'p2' });
    expect(ids(c.where('project', 'p1'))).toEqual(['c']);
    expect(ids(c.where('project', 'p2'))).toEqual(['a', 'b']);

    c.remove('b');
    expect(ids(c.where('project', 'p2'))).toEqual(['a']);
    expect(ids(c.where('project', 'p3'))).toEqual([]);

    c.load([{ id: 'd', project: 'p3' }]);
    expect(ids(c.where('project', 'p2'))).toEqual([]);
    expect(ids(c.where('project', 'p3'))).toEqual(['d']);
  });
});
