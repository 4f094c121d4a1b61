// Procore pagination rules in isolation: Link wins, then Total with Per-Page, then a short or empty page.
import { describe, expect, it } from 'vitest';
import { nextPageAfter, nextPageFromLink } from '../../src/procore/pagination.js';

const link = (page: number, rel: string) => `<https://api.procore.com/rest/v1.0/projects?page=${page}&per_page=5>; rel="${rel}"`;

describe('nextPageFromLink', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    [`${link(1, 'first')}, ${link(4, 'next')}, ${link(30, 'last')}`, 4],
    [`${link(1, 'first')}, ${link(29, 'prev')}, ${link(30, 'last')}`, null],
    [`${link(7, 'next')},`, 7],
    ['<https://x/?per_page=5&page=3>; rel=next', 3],
    ['<https://x/?page=abc>; rel="next"', null],
  ])('%j → %j', (header, expected) => {
    expect(nextPageFromLink(header)).toBe(expected);
  });
});

describe('nextPageAfter', () => {
  it.each([
    { name: 'Link next wins over Total', headers: { link: link(3, 'next'), total: '2' }, page: 2, items: 5, expected: 3 },
    { name: 'Link without next ends even on a full page', headers: { link: link(1, 'first') }, page: 2, items: 100, expected: null },
    { name: 'a Link next that goes backwards ends', headers: { link: link(1, 'next') }, page: 2, items: 100, expected: null },
    { name: 'Total with more to come', headers: { total: '250' }, page: 2, items: 100, expected: 3 },
    { name: 'Total reached', headers: { total: '200' }, page: 2, items: 100, expected: null },
    { name: 'Total read with Procore\'s capped Per-Page', headers: { total: '120', 'per-page': '50' }, page: 2, items: 50, expected: 3 },
    { name: 'no headers, full page', headers: {}, page: 1, items: 100, expected: 2 },
    { name: 'no headers, short page', headers: {}, page: 1, items: 99, expected: null },
    { name: 'empty page always ends', headers: { total: '1000' }, page: 4, items: 0, expected: null },
  ])('$name', ({ headers, page, items, expected }) => {
    expect(nextPageAfter(headers, page, 100, items)).toBe(expected);
  });
});
