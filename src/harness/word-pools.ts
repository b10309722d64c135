/**
 * Vocabulary of generated packages. Every string is NFC (accented letters are written precomposed, as
 * escapes) and holds no character that needs quoting in YAML or escaping in JSON.
 */

/** A comma-separated list, line breaks allowed: `list('a, b,\n c')` → ['a', 'b', 'c']. */
function list(text: string): readonly string[] {
  return text.trim().split(/\s*,\s*/);
}

export const FIRST_NAMES = list(`
  Wren, Maren, Tobias, Ada, Corvin, Isolde, Bram, Hester, Osric, Lune, Perrin, Sable,
  \u00c9lodie, S\u00f8ren, Zo\u00eb, Anouk, Fenwick, Ilse, Dagny, Ruan`);

export const LAST_NAMES = list(`
  Halloway, Marsh, Greaves, Thorne, Ashdown, Penhallow, Quill, Vantreight, Corbel,
  Ember, Lindqvist, Brandt, M\u00fcller, Ca\u00f1ada, Oakhart, Rook`);

export const PLACE_WORDS = list(`
  Amber, Salt, Hollow, Iron, Gull, Moss, Cinder, Tide, Raven, Frost, Briar, Lantern,
  Copper, Thistle, Gloam, Harrow`);

export const PLACE_KINDS = list(
  'Harbor, Light, Reach, Fen, Keep, Crossing, Market, Abbey, Quay, Barrow, Mill, Spire',
);

export const ITEM_WORDS = list(
  'Lens, Lantern, Logbook, Compass, Key, Charter, Bell, Astrolabe, Spyglass, Ledger, Oar',
);

export const ITEM_QUALITIES = list(
  'Cracked, Gilded, Salt-Stained, Humming, Forgotten, Brass, Silvered, Weathered',
);

export const ORGANIZATION_KINDS = list('Trust, Guild, Company, Council, Order, Brotherhood');

export const CREATURE_KINDS = list('Petrels, Eels, Crabs, Hounds, Moths, Seals, Wyrms');

export const ENTITY_TAGS = list(`
  coast, lighthouse, relic, guild, omen, keeper, insomniac, smuggler, merchant, ruin,
  storm, sacred, haunted, trade, fishing, noble, hidden, ancient`);

export const ENTITY_AFFORDANCES = list(
  'climb, signal, inspect, repair, petition, observe, talk, trade, bribe, follow, hide, search, rest, hire',
);

export const TRAITS = list(
  'watchful, stubborn, generous, secretive, loyal, skittish, curious, proud, patient',
);

export const ROLES = list(
  'head keeper, night watch, harbor pilot, apprentice, tenant, caretaker, lodger, warden',
);

export const EVENTS = list(
  'the great storm, the spring tide, the lamp strike, the long winter, the founding, the flood year',
);

export const SCHEDULES = list('dusk to dawn, market days, every other tide, winters only');

export const OVERSIGHTS = list(
  'annual inspection, council review, quarterly audit, oath renewal, harbor master sign-off',
);

export const CONNECTIONS = list('road, river ford, mountain pass, tunnel, ferry, flight path, causeway');

export const TAG_CATEGORIES = list('action, target, modifier, trait, lore, interaction');

export const AFFORDANCE_CATEGORIES = list('combat, environment, social, magic, exploration, interaction');

export const ONTOLOGY_AUDIENCES = list('player, gm, system');

export const INTENT_FRAMES = list('attack, move, cast, manipulate, social, explore');

export const ONTOLOGY_WORDS = list(
  'signal, keepers, beacon, tide, storm, lantern, oath, ward, salvage, parley, omen, ledger',
);

export const ONTOLOGY_VERBS = list(
  'signal_ship, trim_wick, read_omen, bar_door, haggle, dive, chart_course, ring_bell',
);

/** Weighted by repetition: mostly Player. */
export const AUDIENCES = list('Player, Player, Player, GM-Only, GM-Only, Teen, Adult');

export const LORE_FOLDERS = list('history, places, people, rumours');

export const LORE_TAGS = list(`
  location:cape_ember, location:saltmarrow, location:gull_reach, mood:lonely, mood:tense, mood:festive,
  event:storm, event:wreck, event:harvest, faction:lamp_trust, faction:smugglers, era:founding, era:present,
  npc:keeper, theme:loss, theme:duty`);

export const HINT_WORDS = list('solitude, weather, history, danger, trade, faith');

export const LORE_WORDS = list(`
  the, keeper, lamp, sea, storm, harbor, night, light, stair, salt, wind, gulls, ships, rocks, fog, bell,
  village, tide, winter, smugglers, lantern, logbook, quietly, always, never, under, above, beyond, old, cold,
  bright, broken, waits, watches, remembers, counts, climbs, whispers, caf\u00e9, na\u00efve, fj\u00f6rd, and,
  of, a, to, with`);
