"""Regenerates rlhf_comparisons.jsonl (see README.md). Run: python3 make_rlhf_comparisons.py"""
import json
import random

# Short questions with short answers; the rejected answer is the same answer padded with a verbose tail, so the
# label says "the shorter answer is better" (a signal a tiny reward model can learn in a few dozen steps).
QA = [
    ("What is 2 + 2?", "4."), ("Capital of France?", "Paris."), ("Color of the sky?", "Blue."),
    ("Opposite of hot?", "Cold."), ("How many legs has a cat?", "Four."), ("Largest planet?", "Jupiter."),
    ("Freezing point of water?", "0 C."), ("First letter of the alphabet?", "A."), ("Is ice cold?", "Yes."),
    ("What do bees make?", "Honey."), ("Days in a week?", "Seven."), ("Plural of mouse?", "Mice."),
    ("What is 3 x 3?", "9."), ("Say hello.", "Hello."), ("Capital of Japan?", "Tokyo."),
    ("Color of grass?", "Green."), ("Is fire hot?", "Yes."), ("Opposite of up?", "Down."),
    ("What is 10 - 7?", "3."), ("Hours in a day?", "24."), ("Metal that is liquid?", "Mercury."),
    ("Animal that barks?", "A dog."), ("What is H2O?", "Water."), ("Capital of Italy?", "Rome."),
    ("Months in a year?", "Twelve."), ("Fastest land animal?", "Cheetah."), ("What is 5 + 6?", "11."),
    ("Opposite of big?", "Small."), ("Color of snow?", "White."), ("Sun rises in the?", "East."),
    ("What is 8 / 2?", "4."), ("Author of Hamlet?", "Shakespeare."),
]
TAILS = [
    "I hope this helps you a lot!",
    "Let me know if you need more!",
    "Feel free to ask me anything!",
    "That is my full and final answer!",
]

rng = random.Random(0)
with open("rlhf_comparisons.jsonl", "w") as f:
    for i in range(128):
        q, a = QA[i % len(QA)]
        padded = a + " " + TAILS[(i // len(QA)) % len(TAILS)]
        short_is_a = rng.random() < 0.5
        ca, cb = (a, padded) if short_is_a else (padded, a)
        row = {
            "prompt_conversation": [{"role": "user", "content": q}],
            "completion_A": [{"role": "assistant", "content": ca}],
            "completion_B": [{"role": "assistant", "content": cb}],
            "label": "A" if short_is_a else "B",
        }
        f.write(json.dumps(row) + "\n")
