import { describe, expect, it } from 'vitest';
import { higherColor, triageColor } from './triage.ts';

describe('triage colour', () => {
  it('keeps the default when no keyword matches', () => {
    expect(triageColor('yellow', { red: ['塌陷'] }, '路灯不亮')).toEqual({ color: 'yellow', matched: [] });
  });
  it('raises to the highest matched colour and reports the words', () => {
    expect(triageColor('yellow', { orange: ['破损'], red: ['塌陷'] }, '路面破损，已经塌陷')).toEqual({ color: 'red', matched: ['破损', '塌陷'] });
  });
  it('never lowers a colour', () => {
    expect(triageColor('red', { green: ['建议'] }, '建议尽快处理').color).toBe('red');
    expect(higherColor('green', 'orange')).toBe('orange');
  });
});
