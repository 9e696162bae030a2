// Reads an iCalendar feed on stdin and prints, as JSON, every instance that ical.js
// expands between argv[2] and argv[3] (ISO dates): start, end (UTC), summary, status.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");
const from = ICAL.Time.fromJSDate(new Date(process.argv[2]), true);
const to = ICAL.Time.fromJSDate(new Date(process.argv[3]), true);

const root = new ICAL.Component(ICAL.parse(text));
for (const tz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(tz);
}
const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  // An empty exception list stops ical.js relating every RECURRENCE-ID in the file to
  // each master; exceptions are related by UID below, as RFC 5545 says.
  const event = new ICAL.Event(vevent, { exceptions: [] });
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const ex of exceptions) masters.get(ex.uid).relateException(ex);

const out = [];
const push = (start, end, item) => {
  if (end.compare(from) > 0 && start.compare(to) < 0) {
    out.push({
      start: start.toJSDate().toISOString(),
      end: end.toJSDate().toISOString(),
      summary: item.summary,
      status: item.component.getFirstPropertyValue("status"),
      uid: item.uid,
    });
  }
};
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    push(event.startDate, event.endDate, event);
    continue;
  }
  const it = event.iterator();
  for (let next = it.next(); next && next.compare(to) < 0; next = it.next()) {
    const d = event.getOccurrenceDetails(next);
    push(d.startDate, d.endDate, d.item);
  }
}
process.stdout.write(JSON.stringify(out));
