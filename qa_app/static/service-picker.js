// A <select> of every service (thousands in a region: the QuAD meeting's "Service discussed")
// made into GOV.UK's accessible autocomplete: type part of a service's or its provider's name
// and pick from what matches. Progressive enhancement: without JavaScript the select is there
// as it was, and the form posts the same field either way.
import "/static/vendor/accessible-autocomplete/accessible-autocomplete.min.js";

//: Suggestions shown at once (the list narrows as more is typed).
const SHOWN = 50;

function words(text) {
  return text.toLocaleLowerCase().split(/\s+/).filter(Boolean);
}

export function startServicePickers() {
  const autocomplete = window.accessibleAutocomplete;
  if (!autocomplete) return;
  for (const select of document.querySelectorAll("select[data-autocomplete]")) {
    const options = [...select.options].filter((option) => option.value);
    const labels = options.map((option) => option.textContent);
    const searchable = labels.map((label) => label.toLocaleLowerCase());
    const byLabel = new Map(options.map((option) => [option.textContent, option]));
    const id = select.id; // the box typed in takes the select's id (and so its label)
    autocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      minLength: 2,
      showNoOptionsFound: true,
      tNoResults: () => "No service matches: try part of its name or its provider's",
      // every word typed, in any order, anywhere in "Service (Provider)"
      source: (query, populate) => {
        const wanted = words(query);
        const found = [];
        for (let i = 0; i < labels.length && found.length < SHOWN; i += 1) {
          if (wanted.every((word) => searchable[i].includes(word))) found.push(labels[i]);
        }
        populate(found);
      },
      onConfirm: (label) => {
        const option = label ? byLabel.get(label) : undefined;
        if (option) select.value = option.value;
      },
    });
    // What is sent is what the box shows: text that is not a service's (or none) leaves the
    // select unchosen, so the server asks for one rather than sending an earlier pick that is
    // no longer in sight.
    const box = document.getElementById(id);
    if (box && select.form) {
      select.form.addEventListener("submit", () => {
        const option = byLabel.get(box.value.trim());
        select.value = option ? option.value : "";
      });
    }
  }
}
