import { describe, expect, it } from 'vitest';
import { normaliseAddress, parseAddressList, parseSingleMailbox } from '@/lib/matching/address';

// Header values as the seeded mail and real clients write them (see emulators/seed/headers.ts).
describe('parseAddressList', () => {
  it.each([
    ['=?UTF-8?B?U8O4cmVuIFJvc3Np?= <soren.rossi@bluebird-energy.test>', [{ name: 'Søren Rossi', address: 'soren.rossi@bluebird-energy.test' }]],
    ['=?ISO-8859-1?Q?Jos=E9_Garc=EDa?= <jose@x.test>', [{ name: 'José García', address: 'jose@x.test' }]],
    ['"Rossi, Søren" <a@b.test>, Bob <bob@x.test>', [{ name: 'Rossi, Søren', address: 'a@b.test' }, { name: 'Bob', address: 'bob@x.test' }]],
    ['DANA.BUYER@CUSTOMER.TEST', [{ name: null, address: 'DANA.BUYER@CUSTOMER.TEST' }]],
    ['dana@customer.test (Dana Buyer)', [{ name: 'Dana Buyer', address: 'dana@customer.test' }]],
    ['Team: a@x.test, b@y.test;', [{ name: null, address: 'a@x.test' }, { name: null, address: 'b@y.test' }]],
  ])('%s', (header, expected) => {
    expect(parseAddressList(header)).toEqual(expected);
  });

  it('drops what is not an address: empty groups and garbage', () => {
    expect(parseAddressList('undisclosed-recipients:;')).toEqual([]);
    expect(parseAddressList('not an address, <also@not>')).toEqual([]);
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList(null)).toEqual([]);
  });

  it('keeps the address of a broken encoded word', () => {
    expect(parseAddressList('=?UTF-8?Q?Dana_Bro=E9 <dana@customer.test>').map((a) => a.address)).toEqual(['dana@customer.test']);
  });
});

describe('normaliseAddress (R19)', () => {
  it.each([
    [' Dana.Buyer@CUSTOMER.test ', 'dana.buyer@customer.test'],
    ['J.A.N.E.Doe+crm@GoogleMail.com', 'janedoe@gmail.com'],
    ['jane.doe@gmail.com', 'janedoe@gmail.com'],
    ['dana+tag@customer.test', 'dana+tag@customer.test'],
    // A fully qualified domain's trailing dot names the same domain: it must not slip past a rule.
    ['lex@legal.test.', 'lex@legal.test'],
    ['j.doe@gmail.com.', 'jdoe@gmail.com'],
  ])('%s -> %s', (input, output) => {
    expect(normaliseAddress(input)).toBe(output);
  });
});

describe('parseSingleMailbox', () => {
  it.each([
    ['v@x.test', { name: null, address: 'v@x.test' }],
    ['Sam Customer <sam@x.test>', { name: 'Sam Customer', address: 'sam@x.test' }],
    ['  sam@x.test ', { name: null, address: 'sam@x.test' }],
    ["o'brien+crm.test@mail.x.test", { name: null, address: "o'brien+crm.test@mail.x.test" }],
  ])('takes %j', (text, expected) => {
    expect(parseSingleMailbox(text)).toEqual(expected);
  });

  it.each([
    ['a header injection (CR LF)', 'v@x.test\r\nBcc: a@evil.test'],
    ['a bare LF', 'v@x.test\nBcc: a@evil.test'],
    ['a bare CR', 'v@x.test\rBcc: a@evil.test'],
    ['a NUL', 'v@x.test\u0000'],
    ['a list', 'v@x.test, a@evil.test'],
    ['a list by semicolon', 'v@x.test; a@evil.test'],
    ['a group of one', 'Team: v@x.test;'],
    ['a name and a second address', 'v@x.test <a@evil.test>, b@evil.test'],
    ['a quoted local part holding a comma (it would be written unquoted: two recipients)', '"a,b"@evil.test'],
    ['a quoted local part holding angle brackets', '"a>,<b"@evil.test'],
    ['a quoted local part in angle brackets', 'Sam <"s m"@x.test>'],
    ['a local part starting with a dot', '.a@x.test'],
    ['a local part ending with a dot', 'a.@x.test'],
    ['a local part with two dots in a row', 'a..b@x.test'],
    ['a non-ASCII local part', 'jörg@x.test'],
    ['a domain literal', 'a@[192.0.2.1]'],
    ['an angle bracket in the domain', 'a@x.test>b'],
    ['no address', 'not an address'],
    ['nothing', ''],
  ])('refuses %s', (_, text) => {
    expect(parseSingleMailbox(text)).toBeNull();
  });
});
