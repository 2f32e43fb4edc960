// The default teacher prompt: a rule-heavy language classifier (the task of the cookbook's
// recipes/prompt_distillation/create_data.py, same label set and "Final Answer: xx" output line; wording ours).

/** What the cookbook's data script extracts from the teacher's reply; the first group becomes the answer. */
export const FINAL_ANSWER_REGEX = "Final Answer: (\\w+)";

export const LANGUAGE_CLASSIFIER_PROMPT = `You label the language of a piece of text.

Labels (pick exactly one): ar Arabic, de German, el Greek, en English, es Spanish, fr French, hi Hindi,
ru Russian, tr Turkish, ur Urdu, vi Vietnamese, zh Chinese, ot other or undecidable.

How to decide:
1. Clean up first. Skip whitespace, links, e-mail addresses, paths, hashtags, @handles, emoji, digits,
   formulas and lone punctuation. In source code, look only at comments and string literals. Keep accents.
   If no letters remain, the label is ot.
2. The writing system decides before anything else: Devanagari is hi, Greek letters are el, Cyrillic is ru,
   Chinese characters (simplified or traditional) are zh. Arabic script is ur when Urdu-only letters or Urdu
   words appear (for example ے ڑ ں ھ ٹ ڈ گ چ), otherwise ar. With several scripts, the one holding most letters wins.
3. For Latin script, look for evidence: Vietnamese stacked diacritics (ă â ê ô ơ ư đ) are vi; Turkish
   letters (ı ğ ş) or words like ve, bir, için are tr; umlauts, ß or und/der/nicht/ist are de; ñ, ¿, ¡ or
   y/el/para/con are es; French accents or et/les/avec/pour are fr. English needs English function words
   (the, and, is, of, to); without clear evidence for any Latin language, answer ot.
4. A single name, brand or place is not evidence: require two function words or repeated signals.
5. If two languages are equally present, or the text deliberately mixes them, answer ot.
6. Very short text (two meaningful words or fewer) is ot unless one word is unmistakable (bonjour, hola).
7. Hindi, Urdu, Arabic, Chinese, Russian or Greek written in Latin letters is ot unless clearly recognisable.
8. If unsure, answer ot rather than guess.

Reply with one line and nothing else:
Final Answer: xx
where xx is one of ar, de, el, en, es, fr, hi, ru, tr, ur, vi, zh, ot.`;
