import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { HOLIDAY_SOURCES, INDIA_CENTRAL_HOLIDAYS, indiaHolidayCalendar, parseHolidayList } from './calendar.js';
import { dayIndexOfDate } from '@ies/units';

test('national holidays are holidays in every year covered, whatever the weekday', () => {
  const cal = indiaHolidayCalendar();
  for (const year of [2025, 2026, 2027]) {
    for (const mmdd of ['01-26', '08-15', '10-02']) assert.equal(cal.dayType(`${year}-${mmdd}`), 'HOLIDAY', `${year}-${mmdd}`);
  }
  // 2025-01-26 is a Sunday: a holiday first, its weekday type is still SUNDAY.
  assert.equal(cal.weekdayType('2025-01-26'), 'SUNDAY');
  assert.deepEqual(cal.holidayNames('2025-10-02'), ["Mahatma Gandhi's Birthday", 'Dussehra']);
});

test('weekends are day types, not holidays', () => {
  const cal = indiaHolidayCalendar();
  assert.equal(cal.isHoliday('2026-04-04'), false);
  assert.equal(cal.dayType('2026-04-04'), 'SATURDAY');
  assert.equal(cal.dayType('2026-04-05'), 'SUNDAY');
  assert.equal(cal.dayType('2026-04-06'), 'WEEKDAY');
});

test('Delhi adds its three state-chosen central holidays; other states add theirs from configuration', () => {
  assert.equal(indiaHolidayCalendar().isHoliday('2026-03-04'), false); // Holi: Delhi's choice
  assert.equal(indiaHolidayCalendar({ state: 'DL' }).isHoliday('2026-03-04'), true);
  const mh = parseHolidayList([{ date: '2026-05-01', name: 'Maharashtra Day', scope: 'MH' }, { date: '2026-03-19', name: 'Gudi Padwa', scope: 'MH' }]);
  const mumbai = indiaHolidayCalendar({ state: 'MH', extraHolidays: mh });
  assert.deepEqual(mumbai.holidayNames('2026-05-01'), ['Buddha Purnima', 'Maharashtra Day']);
  assert.equal(mumbai.isHoliday('2026-03-19'), true);
  assert.equal(mumbai.isHoliday('2026-03-04'), false);
  assert.equal(indiaHolidayCalendar({ state: 'DL', extraHolidays: mh }).isHoliday('2026-03-19'), false);
});

test('built-in data: real dates, 14 all-India + 3 Delhi per published year, sources named, lunar dates flagged', () => {
  for (const h of INDIA_CENTRAL_HOLIDAYS) {
    assert.ok(dayIndexOfDate(h.date) !== undefined, h.date);
    assert.ok(h.source in HOLIDAY_SOURCES, h.source);
  }
  for (const year of ['2025', '2026']) {
    const ofYear = INDIA_CENTRAL_HOLIDAYS.filter((h) => h.date.startsWith(year));
    assert.equal(ofYear.filter((h) => h.scope === 'IN').length, 14, year);
    assert.equal(ofYear.filter((h) => h.scope === 'DL').length, 3, year);
    assert.equal(ofYear.filter((h) => h.moonDependent).length, 4, year);
  }
});

test('a configured holiday list is validated with every problem and its path', () => {
  assert.throws(
    () => parseHolidayList([{ date: '2026-02-30', name: '' }, { date: '2026-01-01', name: 'x', scope: 'Delhi', extra: 1 }]),
    (err: unknown) => {
      const problems = ((err as IesError).details as { problems: { path: string }[] }).problems.map((p) => p.path);
      assert.deepEqual(problems, ['$[0].date', '$[0].name', '$[1].extra', '$[1].scope']);
      return err instanceof IesError;
    },
  );
  assert.throws(() => indiaHolidayCalendar({ state: 'Delhi' }), /two-letter/);
});
