"""The names a film fan gives broad kinds of film: the vocabulary of macro themes (issue 21).

Why a written vocabulary: named from their own keywords, broad groups of 200 films came out as
genre names ("Drama", "Thriller: Murder"), and a fan check judged 25 of 40 famous films' macro
themes wrong. The shelves a streaming service shows ("Mob and Gangster Sagas", "Animated Family
Adventures") are a small, stable vocabulary a fan recognises; which shelf each film goes on is
measured, not written (``indexer.taxonomy.macro``). Each shelf comes with a *definition* checked against
every film:

- ``genres``: the film has at least one of these TMDB genres (empty: any);
- ``all_genres``: ... and all of these;
- ``never``: ... and none of these ("Supernatural Horror" never holds an animated film);
- ``phrases``: ... and it carries one of these as whole words in its theme keywords (empty: no
  theme needed); ``kind`` genres make a film of the kind without the theme ("War" for war films);
- ``fallback``: a bare kind of film ("Dramas"), used only where no themed shelf fits;
- ``first``: a form that files a film before any theme (animation).

The genre rules are what keeps a shelf from holding a film that contradicts its name. The
vocabulary was written from the shelves fans know; the head-of-catalogue check
(bench/head_films.json) was written independently, before any output was seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Shelf:
    name: str
    genres: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()
    all_genres: frozenset[str] = frozenset()
    never: frozenset[str] = frozenset()
    kind_genres: frozenset[str] = frozenset()
    fallback: bool = False
    first: bool = False

    @cached_property
    def pattern(self) -> re.Pattern | None:
        if not self.phrases:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in self.phrases) + r")(?!\w)")

    def allows(self, genres: tuple[str, ...] | set[str]) -> bool:
        """Nothing in the film's genres contradicts the name (the hard rule)."""
        gs = set(genres)
        return (not self.genres or bool(gs & self.genres)) and self.all_genres <= gs and not (gs & self.never)

    def true_of(self, genres: tuple[str, ...] | set[str], text: str) -> bool:
        """The film is of this kind: allowed, and (for a shelf defined by theme) ``text`` (its theme
        keywords, lower-cased) carries the theme, or it has one of the ``kind_genres``."""
        if not self.allows(genres):
            return False
        if self.pattern is None or set(genres) & self.kind_genres:
            return True
        return self.pattern.search(text) is not None


def _s(
    name: str, genres: str = "", phrases: str = "", all_genres: str = "", never: str = "", kind: str = "", fallback: bool = False, first: bool = False
) -> Shelf:
    def split(text: str) -> frozenset[str]:
        return frozenset(g.strip() for g in text.split(",") if g.strip())

    return Shelf(
        name, split(genres), tuple(p.strip() for p in phrases.split(",") if p.strip()), split(all_genres), split(never), split(kind), fallback, first
    )


KIDS = "Animation, Family"
SHELVES: tuple[Shelf, ...] = (
    _s("Animated Family Adventures", genres="Animation", never="Horror", first=True),
    _s("Family Films", genres="Family", never="Horror", fallback=True),
    _s(
        "Superheroes and Comic Books",
        phrases="superhero, superheroes, marvel comic, dc comics, comic book, super powers, superpower, superhuman, super villain, mutant, vigilante",
        never="Animation",
    ),
    _s(
        "Space Sci-Fi and Alien Worlds",
        genres="Science Fiction",
        phrases="space, spaceship, spacecraft, space opera, galaxy, alien, "
        "planet, astronaut, space travel, outer space, extraterrestrial, ufo, mars, moon",
        never="Animation",
    ),
    _s(
        "Dystopian and Future Sci-Fi",
        genres="Science Fiction",
        phrases="dystopia, dystopic future, future, post-apocalyptic, "
        "apocalypse, artificial intelligence, robot, cyborg, virtual reality, time travel, totalitarian regime, cyberpunk, clone",
        never="Animation",
    ),
    _s(
        "Mob and Gangster Sagas",
        genres="Crime, Drama, Thriller",
        phrases="gangster, mafia, mob, mobster, mob boss, organized crime, "
        "crime family, drug lord, drug cartel, yakuza, gang war, crime boss, drug dealer, cartel",
        never=KIDS,
    ),
    _s(
        "Heists and Cons",
        phrases="heist, robbery, bank robbery, thief, theft, con man, con artist, swindle, burglar, casino heist, "
        "master thief, robber, diamond heist",
        never=KIDS,
    ),
    _s(
        "Spies and Secret Agents",
        phrases="spy, secret agent, espionage, cia, mi6, secret service, kgb, double agent, undercover agent, secret mission",
        never=KIDS,
    ),
    _s(
        "Hitmen and Revenge Thrillers",
        genres="Action, Thriller, Crime",
        phrases="assassin, hitman, hit man, contract killer, revenge, vengeance, mercenary, bounty hunter",
        never=KIDS,
    ),
    _s("Martial Arts Action", genres="Action", phrases="martial arts, kung fu, samurai, ninja, karate", never=KIDS),
    _s(
        "Crime and Detective Thrillers",
        genres="Crime, Thriller, Mystery, Action",
        phrases="police, detective, cop, investigation, fbi agent, police officer, private detective, homicide detective, undercover cop",
        never=KIDS,
    ),
    _s(
        "Serial Killers and Slashers",
        genres="Horror, Thriller, Crime",
        phrases="serial killer, slasher, psychopath, murderer, killer, masked killer",
        never=KIDS,
    ),
    _s(
        "Supernatural Horror",
        genres="Horror",
        phrases="ghost, haunted house, haunting, demon, possession, demonic possession, "
        "supernatural, exorcism, witch, curse, evil spirit, poltergeist, occult",
        never=KIDS,
    ),
    _s(
        "Zombies, Vampires and Monsters",
        genres="Horror, Action, Science Fiction, Fantasy, Thriller",
        phrases="zombie, vampire, werewolf, monster, creature, giant monster, undead, infection, virus, outbreak",
        never=KIDS,
    ),
    _s("Horror", genres="Horror", never=KIDS, fallback=True),
    _s(
        "Mind-Bending Thrillers",
        genres="Thriller, Mystery, Science Fiction, Drama",
        phrases="dream, memory, amnesia, twist ending, "
        "mind control, hallucination, schizophrenia, dual identity, identity crisis, paranoia, psychological thriller, "
        "alternate reality, parallel world, subconsciousness, illusion, multiple personality",
        never=KIDS,
    ),
    _s("Psychological and Mystery Thrillers", genres="Thriller, Mystery", never=KIDS, fallback=True),
    _s(
        "Epic Fantasy and Magic",
        genres="Fantasy",
        phrases="magic, wizard, witch, dragon, sword and sorcery, fairy tale, sorcerer, "
        "elves, dwarf, kingdom, fantasy world, spell, mythology, prophecy, school of witchcraft",
    ),
    _s(
        "War Stories",
        genres="War, History, Drama, Action",
        phrases="war, world war ii, world war i, soldier, army, battle, "
        "military, nazi, nazis, vietnam war, u.s. army, marine, navy, resistance, prisoners of war, holocaust",
        kind="War",
        never=KIDS,
    ),
    _s("Westerns", genres="Western", kind="Western"),
    _s(
        "Prison Dramas and Escapes",
        genres="Drama, Crime, Thriller, Action",
        phrases="prison, prisoner, escape from prison, prison escape, jail, inmate, death row, prison cell, wrongful imprisonment",
        never=KIDS,
    ),
    _s(
        "Historical Epics",
        genres="History, Drama, Adventure, Action, War",
        phrases="ancient rome, ancient greece, gladiator, "
        "roman empire, medieval, knight, epic, sword fight, king, ancient world, 18th century, 19th century, historical figure",
        never=KIDS,
    ),
    _s("True Stories and Biopics", phrases="biography, based on true story, historical figure, true story, autobiography"),
    _s(
        "Sports Dramas and Comedies",
        phrases="sport, boxing, boxer, baseball, american football, basketball, football, soccer, "
        "olympic games, hockey, racing, car race, surfing, golf, wrestling, coach, sports team",
    ),
    _s(
        "Music and Dance",
        genres="Music, Drama, Comedy, Romance, Family",
        phrases="music, musical, musician, singer, band, dance, dancer, dancing, concert, rock band, hip-hop, rap, jazz, ballet, pop star, song",
        kind="Music",
        never="Horror",
    ),
    _s(
        "Disaster and Survival",
        genres="Action, Adventure, Drama, Thriller",
        phrases="disaster, natural disaster, earthquake, "
        "tsunami, survival, stranded, plane crash, shipwreck, avalanche, volcano, asteroid, tornado, storm",
        never=KIDS,
    ),
    _s(
        "Treasure Hunts and Action Adventures",
        genres="Adventure",
        phrases="treasure, treasure hunt, pirate, jungle, island, "
        "exotic island, expedition, archaeologist, lost city, explorer, dinosaur, quest, ancient world",
    ),
    _s(
        "Teen and High School",
        phrases="high school, teenager, teen movie, teen comedy, prom, coming of age, teenage girl, teenage boy, high school student, teenage crush",
        never="Horror",
    ),
    _s(
        "College and Party Comedies",
        genres="Comedy",
        phrases="college, fraternity, party, bachelor party, drinking, road trip, las vegas, hangover, stoner, marijuana, drug",
    ),
    _s("Romantic Comedies", all_genres="Comedy, Romance"),
    _s("Romantic Dramas", all_genres="Drama, Romance", never="Horror, Comedy"),  # a love story told straight: The Notebook, Casablanca
    _s("Comedy-Dramas", all_genres="Comedy, Drama", never="Horror"),
    _s("Love Stories", genres="Romance", never="Horror", fallback=True),
    _s("Christmas and Holiday Films", phrases="christmas, holiday, santa claus, christmas eve, thanksgiving"),
    _s(
        "Buddy and Action Comedies",
        genres="Comedy",
        all_genres="",
        phrases="buddy comedy, buddy cop, police, cop, undercover, partner, robbery, criminal, heist, gangster, spy, fbi",
    ),
    _s(
        "Family Dramas",
        genres="Drama",
        phrases="family, father son relationship, mother daughter relationship, father daughter "
        "relationship, mother son relationship, dysfunctional family, brother brother relationship, sister sister relationship, "
        "single mother, single father, parent child relationship, family relationships, loss of father, loss of mother, divorce",
        never="Horror",
    ),
    _s(
        "Satire and Dark Comedies",
        genres="Comedy",
        phrases="dark comedy, satire, black comedy, parody, spoof, absurd humor, mockumentary, political satire",
    ),
    _s(
        "Coming-of-Age Dramas",
        genres="Drama",
        phrases="coming of age, growing up, adolescence, teenager, boarding school, friendship, first love, youth",
        never="Horror",
    ),
    _s("Comedies", genres="Comedy", never="Horror", fallback=True),
    _s("Crime Dramas", genres="Crime", fallback=True),
    _s("Fantasy Worlds", genres="Fantasy", fallback=True),
    _s("Science Fiction", genres="Science Fiction", fallback=True),
    _s("Period and Historical Dramas", genres="History", fallback=True),
    _s("Action Blockbusters", genres="Action", fallback=True),
    _s("Adventures", genres="Adventure", fallback=True),
    _s("Documentaries", genres="Documentary"),
    _s("Dramas", genres="Drama", fallback=True),
)
