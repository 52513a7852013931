/**
 * A deterministic corpus of synthetic research papers (title, authors, year, venue, abstract,
 * references) in which a lineage of attention mechanisms is buried: 13 papers introduce a new
 * mechanism, a few hundred apply one, some use the word "attention" in its everyday sense, and
 * the rest are about other things. Same seed, same corpus.
 */
import { createRandom } from '@rlms/examples-shared/seeded-random';

/** One synthetic paper. */
export interface Paper {
  readonly id: string;
  readonly title: string;
  readonly authors: readonly string[];
  readonly year: number;
  readonly venue: string;
  readonly abstract: string;
  /** A few sentences of the introduction. */
  readonly introduction: string;
  /** Ids of earlier papers this one cites. */
  readonly references: readonly string[];
}

/** A paper that introduces a new attention mechanism (the ground truth of the timeline). */
export interface Milestone {
  readonly id: string;
  readonly year: number;
  readonly technique: string;
  /** Ids of the milestones it builds on. */
  readonly buildsOn: readonly string[];
}

/** The generated corpus and its ground truth. */
export interface PaperCorpus {
  readonly papers: readonly Paper[];
  readonly milestones: readonly Milestone[];
  /** How many papers apply an existing mechanism. */
  readonly adopters: number;
}

/** Options of {@link generatePapers}. */
export interface GeneratePapersOptions {
  /** Number of papers, at least 100. Default 1000. */
  readonly count?: number;
  /** Seed of the pseudo-random generator. Default 7. */
  readonly seed?: number;
}

interface MilestoneSpec {
  readonly year: number;
  readonly technique: string;
  readonly title: string;
  readonly idea: string;
  /** Indexes of earlier specs it builds on. */
  readonly parents: readonly number[];
  /** Relative share of the papers that apply it. */
  readonly weight: number;
}

const MILESTONES: readonly MilestoneSpec[] = [
  { year: 2014, technique: 'additive attention', title: 'Soft Alignment by Additive Attention for Neural Translation', idea: 'a learned alignment that scores every source position with a small feed-forward network and averages the encoder states by those scores', parents: [], weight: 3 },
  { year: 2015, technique: 'multiplicative attention', title: 'Cheaper Alignment Scores with Multiplicative Attention', idea: 'replacing the feed-forward scorer with a bilinear dot product between decoder and encoder states, which is faster and as accurate', parents: [0], weight: 3 },
  { year: 2016, technique: 'intra-sentence self-attention', title: 'Reading a Sentence Against Itself: Intra-Sentence Self-Attention', idea: 'letting every token attend to the other tokens of the same sequence, so an encoder no longer needs recurrence to relate distant words', parents: [0, 1], weight: 3 },
  { year: 2017, technique: 'multi-head scaled dot-product attention', title: 'Parallel Heads: Multi-Head Scaled Dot-Product Attention', idea: 'several attention heads in parallel, each a dot product scaled by the square root of the key dimension, concatenated and projected', parents: [1, 2], weight: 9 },
  { year: 2018, technique: 'relative position attention', title: 'Distances, Not Indexes: Relative Position Attention', idea: 'adding learned embeddings of the distance between query and key positions to the attention logits instead of absolute position vectors', parents: [3], weight: 3 },
  { year: 2019, technique: 'block-sparse attention', title: 'Strided and Blocked Patterns for Block-Sparse Attention', idea: 'restricting each query to fixed strided and local blocks of keys, which cuts the quadratic cost for long sequences', parents: [3], weight: 3 },
  { year: 2020, technique: 'kernelized linear attention', title: 'Attention in Linear Time via Kernel Feature Maps', idea: 'rewriting the softmax kernel as a product of feature maps so that attention is computed in time linear in the sequence length', parents: [3, 5], weight: 3 },
  { year: 2021, technique: 'rotary position attention', title: 'Rotating Queries and Keys: Rotary Position Attention', idea: 'encoding positions by rotating query and key vectors, so that their dot product depends only on the relative offset', parents: [4], weight: 5 },
  { year: 2022, technique: 'IO-aware tiled attention', title: 'Exact Attention Without the Memory Wall: IO-Aware Tiled Attention', idea: 'computing exact attention in tiles that stay in fast on-chip memory, with an online softmax, so the full score matrix is never written out', parents: [3], weight: 6 },
  { year: 2023, technique: 'grouped-query attention', title: 'Sharing Keys Across Heads with Grouped-Query Attention', idea: 'letting groups of query heads share one key and value head, which shrinks the inference cache with little loss in quality', parents: [3], weight: 6 },
  { year: 2023, technique: 'sliding-window attention', title: 'Local Context at Scale: Sliding-Window Attention for Long Documents', idea: 'a fixed window of recent keys per layer, stacked so that the receptive field grows with depth', parents: [5], weight: 4 },
  { year: 2024, technique: 'ring attention', title: 'Ring Attention: Passing Key-Value Blocks Around a Device Ring', idea: 'splitting a very long sequence across devices and passing key-value blocks around a ring while tiled attention overlaps the communication', parents: [8], weight: 3 },
  { year: 2025, technique: 'latent-compressed attention', title: 'Low-Rank Latent-Compressed Attention for Cheap Inference', idea: 'projecting keys and values into a small shared latent space that is cached instead of the full heads', parents: [9], weight: 2 },
];

const FIRST_NAMES = ['Ada', 'Bo', 'Chen', 'Dana', 'Eli', 'Farah', 'Goran', 'Hana', 'Ilya', 'Jun', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wei', 'Xavier', 'Yara', 'Zoe'];
const LAST_NAMES = ['Abara', 'Berg', 'Castillo', 'Dubois', 'Eriksen', 'Fujita', 'Gupta', 'Haddad', 'Ivanova', 'Jensen', 'Kim', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga', 'Wong', 'Yilmaz', 'Zhou'];
const VENUES = ['NeurIPS', 'ICML', 'ICLR', 'ACL', 'EMNLP', 'NAACL', 'CVPR', 'AAAI', 'TACL', 'JMLR', 'arXiv preprint'];
const TASKS = [
  'machine translation', 'abstractive summarisation', 'speech recognition', 'protein structure prediction', 'code completion',
  'image classification', 'time-series forecasting', 'document retrieval', 'question answering', 'music generation',
  'genomic sequence modelling', 'video captioning', 'dialogue state tracking', 'legal document classification', 'weather nowcasting',
];
const OTHER_TOPICS = [
  { topic: 'graph neural networks', method: 'a message-passing layer with learned edge gates', task: 'molecular property prediction' },
  { topic: 'reinforcement learning', method: 'an off-policy critic with distributional targets', task: 'robotic grasping' },
  { topic: 'diffusion models', method: 'a noise schedule tuned per resolution', task: 'image synthesis' },
  { topic: 'optimisation', method: 'an adaptive learning-rate rule with decoupled weight decay', task: 'large-batch training' },
  { topic: 'federated learning', method: 'a client-sampling scheme with secure aggregation', task: 'on-device keyboard prediction' },
  { topic: 'causal inference', method: 'a doubly robust estimator with learned propensities', task: 'uplift modelling' },
  { topic: 'model compression', method: 'structured pruning guided by second-order saliency', task: 'mobile vision' },
  { topic: 'Bayesian deep learning', method: 'a last-layer Laplace approximation', task: 'calibrated medical triage' },
  { topic: 'convolutional networks', method: 'depthwise-separable blocks with squeeze excitation', task: 'satellite image segmentation' },
  { topic: 'recurrent networks', method: 'a gated unit with layer-normalised recurrence', task: 'handwriting recognition' },
  { topic: 'active learning', method: 'a batch acquisition rule based on expected model change', task: 'clinical text labelling' },
  { topic: 'fairness', method: 'a post-processing step that equalises error rates', task: 'credit scoring' },
];
const RESULTS = [
  'improves accuracy by {n} points over strong baselines',
  'matches the previous best result with {n} % fewer parameters',
  'reduces training time by {n} % at equal quality',
  'sets a new state of the art on {n} of the benchmarks we consider',
  'halves the error rate on the hardest split and gains {n} points on average',
];
const INTRODUCTION = [
  'Progress on {task} has been driven by larger datasets and better training recipes rather than new architectures.',
  'Most prior work evaluates on a handful of benchmarks, which makes it hard to tell which gains transfer.',
  'A recurring difficulty is that inputs vary widely in length and quality across sources.',
  'Industrial systems for {task} must also meet strict latency and memory budgets at inference time.',
  'We revisit the design choices behind strong baselines and measure each one in isolation.',
  'Our contributions are a simple method, a careful evaluation protocol, and an open-source implementation.',
  'We report means and standard deviations over five seeds, and release all configuration files.',
  'Section 2 reviews related work, Section 3 describes the method, and Section 4 reports experiments.',
  'Compute budgets are matched across all compared systems to keep the comparison fair.',
  'We also discuss failure cases and the limits of our evaluation.',
];
const EVERYDAY_ATTENTION = [
  'This problem has received little attention in the literature.',
  'We draw attention to a flaw in the standard evaluation protocol.',
  'The question of label noise deserves more attention than it gets.',
  'Practitioners should pay close attention to data leakage between splits.',
];

function titleCase(text: string): string {
  return text.replace(/(^|[\s-])(\w)/g, (_, before: string, letter: string) => `${before}${letter.toUpperCase()}`);
}

interface Draft {
  kind: 'milestone' | 'adopter' | 'everyday' | 'other';
  year: number;
  title: string;
  abstract: string;
  milestone?: number;
  /** Milestones this draft must cite. */
  cites: number[];
  task: string;
}

/** Generates the corpus. Deterministic for a given `count` and `seed`. */
export function generatePapers(options: GeneratePapersOptions = {}): PaperCorpus {
  const count = options.count ?? 1000;
  if (!Number.isInteger(count) || count < 100) throw new RangeError(`count must be an integer of at least 100, got ${count}.`);
  const random = createRandom(options.seed ?? 7);
  const { pick, between } = random;
  const result = () => pick(RESULTS).replace('{n}', String(between(2, 40)));

  const drafts: Draft[] = MILESTONES.map((spec, index) => {
    const parents = spec.parents.map((parent) => MILESTONES[parent]!.technique);
    const lineage = parents.length === 0 ? 'Unlike fixed-length encodings that compress the whole input into one vector,' : `Building on ${parents.join(' and ')},`;
    const task = pick(TASKS);
    return {
      kind: 'milestone',
      year: spec.year,
      title: spec.title,
      milestone: index,
      cites: [...spec.parents],
      task,
      abstract: [
        `We propose ${spec.technique}, ${spec.idea}.`,
        `${lineage} the mechanism is simple to implement and adds no recurrence.`,
        `On ${task} it ${result()}.`,
        `We analyse what the learned weights capture and release our code.`,
      ].join(' '),
    };
  });

  const totalWeight = MILESTONES.reduce((sum, spec) => sum + spec.weight, 0);
  const adopters = Math.round(count * 0.28);
  const everyday = Math.round(count * 0.075);
  for (let index = 0; index < adopters; index++) {
    let roll = random() * totalWeight;
    let chosen = 0;
    while (roll >= MILESTONES[chosen]!.weight) roll -= MILESTONES[chosen++]!.weight;
    const spec = MILESTONES[chosen]!;
    const year = Math.min(2025, spec.year + Math.floor(Math.sqrt(random()) * (2026 - spec.year)));
    const task = pick(TASKS);
    const verb = pick(['apply', 'adopt', 'use']);
    drafts.push({
      kind: 'adopter',
      year: Math.max(year, spec.year),
      title: `${pick(['Revisiting', 'Scaling', 'Efficient', 'Robust', 'Practical'])} ${titleCase(task)} with ${titleCase(spec.technique)}`,
      cites: [chosen],
      task,
      abstract: [
        `We ${verb} ${spec.technique} to ${task}, where ${pick(['inputs are long', 'labelled data is scarce', 'latency matters', 'inputs are noisy'])}.`,
        `Our model ${result()}.`,
        `${pick(['Ablations show', 'A careful analysis shows', 'We find'])} that ${pick(['the choice of tokenisation', 'pre-training data size', 'regularisation strength', 'the learning-rate schedule'])} matters more than depth.`,
      ].join(' '),
    });
  }
  while (drafts.length < count) {
    const kind = drafts.filter((draft) => draft.kind === 'everyday').length < everyday ? 'everyday' : 'other';
    const other = pick(OTHER_TOPICS);
    drafts.push({
      kind,
      year: between(2013, 2025),
      title: `${pick(['Towards', 'On', 'Understanding', 'Improving', 'A Study of'])} ${titleCase(other.topic)} for ${titleCase(other.task)}`,
      cites: [],
      task: other.task,
      abstract: [
        `We study ${other.topic} for ${other.task}.`,
        ...(kind === 'everyday' ? [pick(EVERYDAY_ATTENTION)] : []),
        `We introduce ${other.method}, which ${result()}.`,
        `Experiments on ${between(3, 9)} datasets confirm the gains.`,
      ].join(' '),
    });
  }

  // Shuffle so that ids say nothing about year or kind, then number the papers.
  for (let index = drafts.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [drafts[index], drafts[other]] = [drafts[other]!, drafts[index]!];
  }
  const width = String(count).length;
  const ids = drafts.map((_, index) => `paper_${String(index + 1).padStart(Math.max(4, width), '0')}`);
  const milestoneIds = new Map<number, string>();
  drafts.forEach((draft, index) => {
    if (draft.milestone !== undefined) milestoneIds.set(draft.milestone, ids[index]!);
  });
  const nonMilestones = drafts.map((draft, index) => ({ draft, id: ids[index]! })).filter(({ draft }) => draft.kind !== 'milestone');

  const papers: Paper[] = drafts.map((draft, index) => {
    const references = new Set(draft.cites.map((milestone) => milestoneIds.get(milestone)!));
    // Background citations: a few earlier papers that introduce nothing.
    const earlier = nonMilestones.filter(({ draft: other }) => other.year < draft.year);
    const extra = earlier.length === 0 ? 0 : between(1, 5);
    for (let n = 0; n < extra; n++) references.add(pick(earlier).id);
    const sentences = new Set<string>();
    while (sentences.size < 4) sentences.add(pick(INTRODUCTION).replace('{task}', draft.task));
    const authorCount = between(1, 6);
    const authors = Array.from({ length: authorCount }, () => `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`);
    return {
      id: ids[index]!,
      title: draft.title,
      authors,
      year: draft.year,
      venue: pick(VENUES),
      abstract: draft.abstract,
      introduction: [...sentences].join(' '),
      references: [...references].sort(),
    };
  });
  const milestones: Milestone[] = MILESTONES.map((spec, index) => ({
    id: milestoneIds.get(index)!,
    year: spec.year,
    technique: spec.technique,
    buildsOn: spec.parents.map((parent) => milestoneIds.get(parent)!),
  }));
  return { papers, milestones, adopters };
}

/** A paper as the text document the RLM reads. */
export function formatPaper(paper: Paper): string {
  return [
    `Title: ${paper.title}`,
    `Authors: ${paper.authors.join(', ')}`,
    `Year: ${paper.year}`,
    `Venue: ${paper.venue}`,
    '',
    `Abstract: ${paper.abstract}`,
    '',
    `Introduction: ${paper.introduction}`,
    '',
    `References: ${paper.references.length === 0 ? '(none)' : paper.references.join(', ')}`,
  ].join('\n');
}

/** The corpus as the RLM's context: `{ paper_0001: "Title: …", … }`. */
export function paperDocuments(papers: readonly Paper[]): Record<string, string> {
  return Object.fromEntries(papers.map((paper) => [paper.id, formatPaper(paper)]));
}
