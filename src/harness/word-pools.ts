/**
 * Vocabulary of generated packages. Every string is NFC (accented letters are written precomposed, as
 * escapes) and holds no character that needs quoting in YAML or escaping in JSON.
 */

export const FIRST_NAMES: readonly string[] = [
  'Wren', 'Maren', 'Tobias', 'Ada', 'Corvin', 'Isolde', 'Bram', 'Hester', 'Osric', 'Lune', 'Perrin', 'Sable',
  '\u00c9lodie', 'S\u00f8ren', 'Zo\u00eb', 'Anouk', 'Fenwick', 'Ilse', 'Dagny', 'Ruan',
];

export const LAST_NAMES: readonly string[] = [
  'Halloway', 'Marsh', 'Greaves', 'Thorne', 'Ashdown', 'Penhallow', 'Quill', 'Vantreight', 'Corbel', 'Ember',
  'Lindqvist', 'Brandt', 'M\u00fcller', 'Ca\u00f1ada', 'Oakhart', 'Rook',
];

export const PLACE_WORDS: readonly string[] = [
  'Amber', 'Salt', 'Hollow', 'Iron', 'Gull', 'Moss', 'Cinder', 'Tide', 'Raven', 'Frost', 'Briar', 'Lantern',
  'Copper', 'Thistle', 'Gloam', 'Harrow',
];

export const PLACE_KINDS: readonly string[] = [
  'Harbor', 'Light', 'Reach', 'Fen', 'Keep', 'Crossing', 'Market', 'Abbey', 'Quay', 'Barrow', 'Mill', 'Spire',
];

export const ITEM_WORDS: readonly string[] = [
  'Lens', 'Lantern', 'Logbook', 'Compass', 'Key', 'Charter', 'Bell', 'Astrolabe', 'Spyglass', 'Ledger', 'Oar',
];

export const ITEM_QUALITIES: readonly string[] = [
  'Cracked', 'Gilded', 'Salt-Stained', 'Humming', 'Forgotten', 'Brass', 'Silvered', 'Weathered',
];

export const ORGANIZATION_KINDS: readonly string[] = ['Trust', 'Guild', 'Company', 'Council', 'Order', 'Brotherhood'];

export const CREATURE_KINDS: readonly string[] = ['Petrels', 'Eels', 'Crabs', 'Hounds', 'Moths', 'Seals', 'Wyrms'];

export const ENTITY_TAGS: readonly string[] = [
  'coast', 'lighthouse', 'relic', 'guild', 'omen', 'keeper', 'insomniac', 'smuggler', 'merchant', 'ruin', 'storm',
  'sacred', 'haunted', 'trade', 'fishing', 'noble', 'hidden', 'ancient',
];

export const ENTITY_AFFORDANCES: readonly string[] = [
  'climb', 'signal', 'inspect', 'repair', 'petition', 'observe', 'talk', 'trade', 'bribe', 'follow', 'hide',
  'search', 'rest', 'hire',
];

export const TRAITS: readonly string[] = [
  'watchful', 'stubborn', 'generous', 'secretive', 'loyal', 'skittish', 'curious', 'proud', 'patient',
];

export const ROLES: readonly string[] = [
  'head keeper', 'night watch', 'harbor pilot', 'apprentice', 'tenant', 'caretaker', 'lodger', 'warden',
];

export const EVENTS: readonly string[] = [
  'the great storm', 'the spring tide', 'the lamp strike', 'the long winter', 'the founding', 'the flood year',
];

export const SCHEDULES: readonly string[] = ['dusk to dawn', 'market days', 'every other tide', 'winters only'];

export const OVERSIGHTS: readonly string[] = [
  'annual inspection', 'council review', 'quarterly audit', 'oath renewal', 'harbor master sign-off',
];

export const CONNECTIONS: readonly string[] = [
  'road', 'river ford', 'mountain pass', 'tunnel', 'ferry', 'flight path', 'causeway',
];

export const TAG_CATEGORIES: readonly string[] = ['action', 'target', 'modifier', 'trait', 'lore', 'interaction'];

export const AFFORDANCE_CATEGORIES: readonly string[] = [
  'combat', 'environment', 'social', 'magic', 'exploration', 'interaction',
];

export const INTENT_FRAMES: readonly string[] = ['attack', 'move', 'cast', 'manipulate', 'social', 'explore'];

export const ONTOLOGY_WORDS: readonly string[] = [
  'signal', 'keepers', 'beacon', 'tide', 'storm', 'lantern', 'oath', 'ward', 'salvage', 'parley', 'omen', 'ledger',
];

export const ONTOLOGY_VERBS: readonly string[] = [
  'signal_ship', 'trim_wick', 'read_omen', 'bar_door', 'haggle', 'dive', 'chart_course', 'ring_bell',
];

export const AUDIENCES: readonly string[] = ['Player', 'Player', 'Player', 'GM-Only', 'GM-Only', 'Teen', 'Adult'];

export const LORE_FOLDERS: readonly string[] = ['history', 'places', 'people', 'rumours'];

export const LORE_TAGS: readonly string[] = [
  'location:cape_ember', 'location:saltmarrow', 'location:gull_reach', 'mood:lonely', 'mood:tense', 'mood:festive',
  'event:storm', 'event:wreck', 'event:harvest', 'faction:lamp_trust', 'faction:smugglers', 'era:founding',
  'era:present', 'npc:keeper', 'theme:loss', 'theme:duty',
];

export const HINT_WORDS: readonly string[] = ['solitude', 'weather', 'history', 'danger', 'trade', 'faith'];

export const LORE_WORDS: readonly string[] = [
  'the', 'keeper', 'lamp', 'sea', 'storm', 'harbor', 'night', 'light', 'stair', 'salt', 'wind', 'gulls', 'ships',
  'rocks', 'fog', 'bell', 'village', 'tide', 'winter', 'smugglers', 'lantern', 'logbook', 'quietly', 'always',
  'never', 'under', 'above', 'beyond', 'old', 'cold', 'bright', 'broken', 'waits', 'watches', 'remembers',
  'counts', 'climbs', 'whispers', 'caf\u00e9', 'na\u00efve', 'fj\u00f6rd', 'and', 'of', 'a', 'to', 'with',
];
