/**
 * Word lists for the generator. Names include accents and scripts that need RFC 2047 encoding;
 * each has an ASCII slug for its address, as people with such names usually have.
 */

export const FIRST_NAMES: [display: string, slug: string][] = [
  ['Dana', 'dana'], ['José', 'jose'], ['Zoë', 'zoe'], ['Łukasz', 'lukasz'], ['François', 'francois'],
  ['Søren', 'soren'], ['Amelia', 'amelia'], ['Kenji', 'kenji'], ['Priya', 'priya'], ['Mateo', 'mateo'],
  ['Chloé', 'chloe'], ['Noah', 'noah'], ['Ingrid', 'ingrid'], ['Olu', 'olu'], ['Hannah', 'hannah'],
  ['Björn', 'bjorn'], ['Aisha', 'aisha'], ['Liam', 'liam'], ['Mei', 'mei'], ['Rafael', 'rafael'],
  ['Sofía', 'sofia'], ['Tomás', 'tomas'], ['Yara', 'yara'], ['Elif', 'elif'], ['Ivan', 'ivan'],
  ['Grace', 'grace'], ['Omar', 'omar'], ['Nora', 'nora'], ['Pablo', 'pablo'], ['Ruth', 'ruth'],
];

export const LAST_NAMES: [display: string, slug: string][] = [
  ['Buyer', 'buyer'], ['Müller', 'muller'], ['Nguyễn', 'nguyen'], ['García', 'garcia'], ['Okafor', 'okafor'],
  ['Kowalski', 'kowalski'], ['Tanaka', 'tanaka'], ['Dubois', 'dubois'], ['Andersen', 'andersen'], ['Patel', 'patel'],
  ['Smith', 'smith'], ['Rossi', 'rossi'], ['Öztürk', 'ozturk'], ['Novák', 'novak'], ['Silva', 'silva'],
  ['Johansson', 'johansson'], ['Kim', 'kim'], ['Hughes', 'hughes'], ['Petrov', 'petrov'], ['Lefèvre', 'lefevre'],
  ['Byrne', 'byrne'], ['Costa', 'costa'], ['Haddad', 'haddad'], ['Schmidt', 'schmidt'], ['Walker', 'walker'],
];

export const COMPANY_FIRST = [
  'Northwind', 'Bluebird', 'Granite', 'Harbor', 'Lumen', 'Meridian', 'Orchid', 'Pioneer', 'Quartz', 'Summit',
  'Tidal', 'Vertex', 'Willow', 'Zephyr', 'Aster', 'Birch', 'Cobalt', 'Ember', 'Fjord', 'Juniper',
];
export const COMPANY_SECOND = ['Logistics', 'Health', 'Foods', 'Labs', 'Systems', 'Retail', 'Energy', 'Media', 'Capital', 'Works', 'Freight'];

export const VENDORS = [
  { name: 'SaaS Weekly', domain: 'saasweekly.test', local: 'news' },
  { name: 'Shop Deals', domain: 'shopdeals.test', local: 'offers' },
  { name: 'Cloud Status', domain: 'cloudstatus.test', local: 'noreply' },
  { name: 'Conference Hub', domain: 'confhub.test', local: 'events' },
  { name: 'Dev Digest', domain: 'devdigest.test', local: 'digest' },
  { name: 'Travel Club', domain: 'travelclub.test', local: 'members' },
];

export const SOCIAL = [
  { name: 'LinkedOut', domain: 'linkedout.test', local: 'notifications' },
  { name: 'Chirper', domain: 'chirper.test', local: 'info' },
];

export const FORUMS = [
  { name: 'Ops Practitioners', domain: 'groups.forum.test', local: 'ops-practitioners' },
  { name: 'Sales Leaders', domain: 'groups.forum.test', local: 'sales-leaders' },
];

export const SPAM_DOMAINS = ['win-prizes.test', 'cheap-pills.test', 'crypto-gains.test', 'urgent-invoice.test'];

export const CUSTOMER_SUBJECTS = [
  'Renewal quote', 'Onboarding schedule', 'Invoice question', 'Contract redlines', 'Pricing for 50 seats',
  'Angebot für Q3', 'Réunion mardi', 'Счёт №42', 'Support ticket: export fails', 'Follow-up from our call',
  'Purchase order 4471', 'Security questionnaire', '🎉 Kick-off next week', 'Data migration plan', 'Budget approval',
];

export const PERSONAL_SUBJECTS = ['Dinner Saturday?', 'Photos from the trip', 'Happy birthday!', 'Running club', 'Book recommendations'];
export const INTERNAL_SUBJECTS = ['Pipeline review', 'Team offsite', 'Q4 forecast', 'Holiday rota', 'Demo feedback', 'Hiring loop'];

export const SENTENCES = [
  'Thanks for the quick reply.',
  'Could you send the updated figures by Friday?',
  'I have attached the signed copy.',
  'Let us find thirty minutes next week.',
  'The team reviewed the proposal and has two questions.',
  'We are still waiting on legal.',
  'Happy to jump on a call if that is easier.',
  'Please see the notes below.',
  'The export still fails on step three.',
  'Looping in my colleague who owns the budget.',
  'Merci pour votre retour rapide.',
  'Vielen Dank für die Unterlagen.',
];
