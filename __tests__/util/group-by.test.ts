import { describe, expect, it } from '@jest/globals'
import { groupBy } from '../../src/util/group-by.js'

describe('groupBy', () => {
  it('groups items by their key, keys in the order they first appear, items in their order', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], item => item[0])
    expect([...groups.entries()]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']]
    ])
  })

  it('is empty for no items', () => {
    expect(groupBy([], () => 'k').size).toBe(0)
  })
})
