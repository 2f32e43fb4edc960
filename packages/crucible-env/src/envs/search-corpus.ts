// A small bundled encyclopedia and questions answerable from it, so the search-tool env runs with no
// downloads. Every answer appears verbatim in at least one document (checked by search-env.test.ts).
import type { SearchDocument } from "./search-index.js";

export interface SearchQuestion {
  question: string;
  /** Accepted answers; the reply matches if it equals any of them after normalisation. */
  answers: string[];
}

export const BUNDLED_SEARCH_CORPUS: readonly SearchDocument[] = [
  {
    id: "marie-curie",
    title: "Marie Curie",
    text: "Marie Curie was a physicist and chemist born in Warsaw in 1867. She was the first woman to win a Nobel Prize, receiving the Nobel Prize in Physics in 1903 and in Chemistry in 1911. With Pierre Curie she discovered the elements polonium, named after her native Poland, and radium.",
  },
  {
    id: "great-wall",
    title: "Great Wall of China",
    text: "The Great Wall of China is a series of fortifications built across northern China over many centuries. Most of the wall that survives today was built during the Ming dynasty.",
  },
  {
    id: "amazon-river",
    title: "Amazon River",
    text: "The Amazon River flows through Peru, Colombia and Brazil and empties into the Atlantic Ocean. It carries more water than any other river in the world.",
  },
  {
    id: "kilimanjaro",
    title: "Mount Kilimanjaro",
    text: "Mount Kilimanjaro, in Tanzania, is the highest mountain in Africa. It is a dormant volcano with three volcanic cones: Kibo, Mawenzi and Shira.",
  },
  {
    id: "python-language",
    title: "Python (programming language)",
    text: "Python is a high-level programming language created by Guido van Rossum and first released in 1991. Its design emphasises code readability and significant indentation.",
  },
  {
    id: "photosynthesis",
    title: "Photosynthesis",
    text: "Photosynthesis is the process by which plants convert light energy into chemical energy stored in sugars. In plants it takes place in the chloroplast, and it releases oxygen as a by-product.",
  },
  {
    id: "jupiter",
    title: "Jupiter",
    text: "Jupiter is the largest planet in the Solar System, a gas giant known for its Great Red Spot. Its four largest moons, Io, Europa, Ganymede and Callisto, were discovered by Galileo Galilei in 1610.",
  },
  {
    id: "ganymede",
    title: "Ganymede (moon)",
    text: "Ganymede, a moon of Jupiter, is the largest moon in the Solar System. It is larger than the planet Mercury and is the only moon known to have its own magnetic field.",
  },
  {
    id: "beethoven",
    title: "Ludwig van Beethoven",
    text: "Ludwig van Beethoven was a composer born in Bonn in 1770. He wrote nine symphonies; the final movement of the Ninth Symphony sets Schiller's Ode to Joy.",
  },
  {
    id: "mona-lisa",
    title: "Mona Lisa",
    text: "The Mona Lisa is a portrait painted by Leonardo da Vinci in the early sixteenth century. It is displayed in the Louvre museum in Paris.",
  },
  {
    id: "penicillin",
    title: "Penicillin",
    text: "Penicillin was discovered by Alexander Fleming in 1928 at St Mary's Hospital in London, when he noticed that a mould killed the bacteria around it.",
  },
  {
    id: "eiffel-tower",
    title: "Eiffel Tower",
    text: "The Eiffel Tower is a wrought-iron lattice tower in Paris. It was completed in 1889 as the entrance to the World's Fair and was built by the engineering company of Gustave Eiffel.",
  },
  {
    id: "dna",
    title: "DNA double helix",
    text: "The double-helix structure of DNA was described by James Watson and Francis Crick in 1953. Their model relied on X-ray diffraction images made by Rosalind Franklin.",
  },
  {
    id: "sahara",
    title: "Sahara",
    text: "The Sahara is the largest hot desert in the world and covers most of North Africa.",
  },
  {
    id: "honeybee",
    title: "Honeybee",
    text: "Honeybees live in colonies with a single queen. A forager that has found food performs the waggle dance, which tells other bees the direction and distance of the flowers.",
  },
  {
    id: "everest",
    title: "Mount Everest",
    text: "Mount Everest, in the Himalayas on the border between Nepal and China, is the highest mountain above sea level. It was first climbed in 1953 by Edmund Hillary and Tenzing Norgay.",
  },
  {
    id: "olympics",
    title: "Modern Olympic Games",
    text: "The first modern Olympic Games were held in Athens in 1896, organised by the International Olympic Committee founded by Pierre de Coubertin.",
  },
  {
    id: "printing-press",
    title: "Printing press",
    text: "Johannes Gutenberg developed a printing press with movable metal type in Mainz around 1440. The Gutenberg Bible was one of the first major books printed with it.",
  },
  {
    id: "vitamin-c",
    title: "Vitamin C",
    text: "Vitamin C is found in citrus fruits and many vegetables. A long-lasting lack of vitamin C causes scurvy, a disease that once affected sailors on long voyages.",
  },
  {
    id: "pacific-ocean",
    title: "Pacific Ocean",
    text: "The Pacific Ocean is the largest and deepest ocean. The deepest known point of Earth's oceans, the Challenger Deep, lies in the Mariana Trench in the western Pacific.",
  },
  {
    id: "canberra",
    title: "Canberra",
    text: "Canberra is the capital city of Australia. The site was chosen in 1908 as a compromise between the rival cities of Sydney and Melbourne.",
  },
  {
    id: "hemoglobin",
    title: "Hemoglobin",
    text: "Hemoglobin is the protein in red blood cells that carries oxygen from the lungs to the body. Each hemoglobin molecule contains iron, which binds the oxygen.",
  },
  {
    id: "shakespeare",
    title: "William Shakespeare",
    text: "William Shakespeare was an English playwright born in Stratford-upon-Avon in 1564. Many of his plays were performed at the Globe Theatre in London.",
  },
  {
    id: "insulin",
    title: "Insulin",
    text: "Insulin is a hormone produced by the pancreas that regulates the level of glucose in the blood. It was first isolated in 1921 by Frederick Banting and Charles Best.",
  },
  {
    id: "south-pole",
    title: "South Pole expeditions",
    text: "The first expedition to reach the geographic South Pole was led by the Norwegian explorer Roald Amundsen, arriving in December 1911, about five weeks before Robert Falcon Scott.",
  },
  {
    id: "telephone",
    title: "Telephone",
    text: "Alexander Graham Bell was granted the first United States patent for the telephone in 1876.",
  },
  {
    id: "nile",
    title: "Nile",
    text: "The Nile flows north through northeastern Africa into the Mediterranean Sea. Its two main tributaries, the White Nile and the Blue Nile, meet at Khartoum in Sudan.",
  },
  {
    id: "venus",
    title: "Venus",
    text: "Venus is the hottest planet in the Solar System because its thick carbon dioxide atmosphere traps heat. It rotates in the opposite direction to most planets.",
  },
  {
    id: "kiwi",
    title: "Kiwi (bird)",
    text: "The kiwi is a small flightless bird native to New Zealand. It lays one of the largest eggs relative to body size of any bird.",
  },
  {
    id: "mount-fuji",
    title: "Mount Fuji",
    text: "Mount Fuji is the highest mountain in Japan. It is an active stratovolcano on the island of Honshu, southwest of Tokyo.",
  },
  {
    id: "magna-carta",
    title: "Magna Carta",
    text: "Magna Carta is a charter of rights agreed to by King John of England at Runnymede in 1215.",
  },
];

export const BUNDLED_SEARCH_QUESTIONS: readonly SearchQuestion[] = [
  { question: "In which city was Marie Curie born?", answers: ["Warsaw"] },
  { question: "Which element named after Poland did Marie Curie discover?", answers: ["polonium"] },
  {
    question: "During which dynasty was most of the surviving Great Wall of China built?",
    answers: ["Ming dynasty", "Ming"],
  },
  { question: "Into which ocean does the Amazon River empty?", answers: ["Atlantic Ocean", "Atlantic"] },
  { question: "In which country is Mount Kilimanjaro?", answers: ["Tanzania"] },
  { question: "Who created the Python programming language?", answers: ["Guido van Rossum"] },
  {
    question: "In which part of a plant cell does photosynthesis take place?",
    answers: ["chloroplast", "chloroplasts"],
  },
  { question: "Who discovered the four largest moons of Jupiter?", answers: ["Galileo Galilei", "Galileo"] },
  { question: "What is the largest moon in the Solar System?", answers: ["Ganymede"] },
  { question: "In which city was Ludwig van Beethoven born?", answers: ["Bonn"] },
  { question: "In which museum is the Mona Lisa displayed?", answers: ["Louvre", "Louvre museum"] },
  { question: "Who discovered penicillin?", answers: ["Alexander Fleming"] },
  { question: "In what year was the Eiffel Tower completed?", answers: ["1889"] },
  {
    question: "Whose X-ray diffraction images helped reveal the structure of DNA?",
    answers: ["Rosalind Franklin"],
  },
  { question: "What is the largest hot desert in the world?", answers: ["Sahara", "Sahara desert"] },
  { question: "Which dance do honeybees perform to show where food is?", answers: ["waggle dance"] },
  { question: "Who first climbed Mount Everest together with Edmund Hillary?", answers: ["Tenzing Norgay"] },
  { question: "In which city were the first modern Olympic Games held?", answers: ["Athens"] },
  { question: "In which city did Johannes Gutenberg develop his printing press?", answers: ["Mainz"] },
  { question: "Which disease is caused by a lack of vitamin C?", answers: ["scurvy"] },
  { question: "In which trench is the deepest known point of Earth's oceans?", answers: ["Mariana Trench"] },
  { question: "What is the capital of Australia?", answers: ["Canberra"] },
  { question: "Which metal in hemoglobin binds oxygen?", answers: ["iron"] },
  { question: "In which town was William Shakespeare born?", answers: ["Stratford-upon-Avon"] },
  { question: "Which organ produces insulin?", answers: ["pancreas"] },
  {
    question: "Who led the first expedition to reach the South Pole?",
    answers: ["Roald Amundsen", "Amundsen"],
  },
  { question: "Who was granted the first US patent for the telephone?", answers: ["Alexander Graham Bell"] },
  { question: "In which city do the White Nile and the Blue Nile meet?", answers: ["Khartoum"] },
  { question: "Which is the hottest planet in the Solar System?", answers: ["Venus"] },
  { question: "To which country is the kiwi bird native?", answers: ["New Zealand"] },
  { question: "On which island is Mount Fuji?", answers: ["Honshu"] },
  { question: "Which king agreed to Magna Carta in 1215?", answers: ["King John", "John"] },
];
