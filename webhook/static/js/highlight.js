// Where each insight's examples occur in the transcript. Matching is case- and
// whitespace-insensitive, the same rule the pipeline uses to accept an example as verbatim
// (speaking_pipeline/domain/verbatim.py).

function normalised(text) {
  // The normalised text, and for each of its characters the index it came from.
  let out = "";
  const origin = [];
  let inSpace = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      if (!inSpace && out.length) {
        out += " ";
        origin.push(i);
      }
      inSpace = true;
      continue;
    }
    inSpace = false;
    const lower = ch.toLowerCase();
    // Keep one normalised character per original one, so indexes map back exactly.
    out += lower.length === 1 ? lower : ch;
    origin.push(i);
  }
  return { out, origin };
}

// Non-overlapping [start, end) ranges of the transcript, each with the insights whose examples
// it covers. Examples of different insights may overlap ("um, so yesterday I go" and "so
// yesterday I go to the market"): they merge into one range that names every insight, so no
// example loses its highlight.
export function exampleRanges(text, insights) {
  const { out, origin } = normalised(text);
  const ranges = [];
  insights.forEach((insight, index) => {
    for (const example of insight.examples || []) {
      const needle = normalised(example).out.trim();
      if (!needle) continue;
      let from = 0;
      for (;;) {
        const at = out.indexOf(needle, from);
        if (at < 0) break;
        ranges.push({ start: origin[at], end: origin[at + needle.length - 1] + 1, index });
        from = at + needle.length;
      }
    }
  });
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start < last.end) {
      last.end = Math.max(last.end, range.end);
      if (!last.indexes.includes(range.index)) last.indexes.push(range.index);
    } else {
      merged.push({ start: range.start, end: range.end, indexes: [range.index] });
    }
  }
  for (const range of merged) range.indexes.sort((a, b) => a - b);
  return merged;
}
