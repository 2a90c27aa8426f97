"""Curated word lists behind the rules: function words, fillers, hedges, countable nouns."""

from __future__ import annotations

from speaking_pipeline.analysis import tokens


def words(text: str) -> frozenset[str]:
    """A word list written as whitespace-separated text."""
    return frozenset(text.split())


SUBJECT_PRONOUNS = frozenset({"i", "you", "he", "she", "it", "we", "they"})
THIRD_SINGULAR_PRONOUNS = frozenset({"he", "she", "it"})
NON_THIRD_PRONOUNS = frozenset({"i", "you", "we", "they"})
OBJECT_PRONOUNS = frozenset({"me", "you", "him", "her", "us", "them", "it"})

ARTICLES = frozenset({"a", "an", "the"})
POSSESSIVES = frozenset({"my", "your", "his", "her", "its", "our", "their", "whose"})
DETERMINERS = (
    ARTICLES
    | POSSESSIVES
    | frozenset(
        {
            "this",
            "that",
            "these",
            "those",
            "every",
            "each",
            "any",
            "some",
            "no",
            "another",
            "either",
            "neither",
            "which",
            "what",
            "whatever",
            "such",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "many",
            "much",
            "several",
            "few",
            "little",
            "more",
            "most",
            "less",
            "all",
            "both",
            "half",
            "enough",
            "own",
            "last",
            "next",
            "first",
            "second",
            "third",
            "other",
            "same",
            "whole",
            "quite",
            "rather",
            "per",
            "'s",
        }
    )
)
NUMBER_WORDS = words(
    """
    two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
    sixty seventy eighty ninety hundred
    """
)
BE_FORMS = frozenset({"am", "is", "are", "was", "were", "be", "been", "being", "'m", "'s", "'re"})
COPULAS = frozenset(
    {"is", "was", "am", "are", "were", "be", "been", "become", "became", "becomes", "becoming"}
)
# Contractions whose 's / 'm / 're is a form of "be".
COPULA_CONTRACTIONS = words(
    """
    it's he's she's that's there's what's who's here's i'm you're we're they're
    """
)
AUXILIARIES = words(
    """
    do does did don't doesn't didn't can could will would shall should may might must is was are
    were am has have had can't couldn't won't wouldn't shouldn't isn't wasn't aren't weren't
    hasn't haven't hadn't 'll 'd let's
    """
)
PREPOSITIONS = words(
    """
    in at to from into near for with without on under behind inside outside as of about by
    through across around after before during like than per towards over among between beside
    beyond within against upon along toward despite except including amid below above past via
    """
)
SUBORDINATORS = frozenset(
    {
        "because",
        "although",
        "though",
        "which",
        "who",
        "whose",
        "whom",
        "when",
        "while",
        "whereas",
        "if",
        "unless",
        "since",
        "until",
        "where",
        "whether",
        "once",
        "that",
        "so that",
        "whenever",
        "wherever",
        "after",
        "before",
    }
)
FREQUENCY_ADVERBS = words(
    """
    always never usually often sometimes also really just still only even rarely seldom actually
    probably normally generally already finally hardly certainly definitely usually nearly
    almost quickly suddenly
    """
)

# vocabulary.filler_words: sounds that are always filled pauses (shared with fluency).
FILLED_PAUSES = tokens.FILLED_PAUSES
INTENSIFIER_NEXT = words(
    """
    really so totally super very literally just completely absolutely basically kind sort um uh
    er erm actually the
    """
)
QUOTATIVE_BEFORE_LIKE = frozenset({"was", "were", "is", "'s", "am", "'m", "are", "be"})
VERBAL_BEFORE_LIKE = words(
    """
    i you we they don't didn't do does doesn't would 'd really also to just always still not
    would might will 'll should could can people who i'd you'd we'd they'd never definitely
    especially particularly looks look looked feel feels felt seems seemed sounds sounded
    something anything nothing things more less much exactly just things stuff
    """
)
YOU_KNOW_OBJECTS = words(
    """
    what how that why where when who whether if about the a an him her them it me us this those
    these someone somebody everyone everything nothing anything my his their our your each so
    more much better best exactly
    """
)
YOU_KNOW_BLOCKERS = words(
    """
    do did don't didn't if as would will 'll could can should might let what how when because
    you that 'd ever probably already all now where who
    """
)

# vocabulary.hedging (multi-word entries are matched as token sequences).
HEDGES: tuple[tuple[str, ...], ...] = (
    ("maybe",),
    ("perhaps",),
    ("probably",),
    ("possibly",),
    ("i", "guess"),
    ("i", "suppose"),
    ("kind", "of"),
    ("sort", "of"),
    ("kinda",),
    ("sorta",),
    ("i'm", "not", "sure"),
    ("i", "am", "not", "sure"),
    ("i'm", "not", "so", "sure"),
    ("more", "or", "less"),
    ("i'd", "say"),
    ("i", "would", "say"),
    ("or", "something"),
    ("somehow",),
    ("a", "little", "bit"),
)
# "kind of"/"sort of" after these words name a type ("what kind of music"), not a hedge.
KIND_OF_NOUN_CONTEXT = frozenset(
    DETERMINERS | {"what", "which", "different", "same", "any", "every", "this", "that"}
)

# vocabulary.intensifier_overuse
INTENSIFIERS = words(
    """
    very really so extremely super totally absolutely incredibly terribly awfully completely
    pretty insanely unbelievably truly highly seriously
    """
)
# "so" does not intensify before these.
SO_NOT_INTENSIFYING = frozenset({"that", "far", "on", "called", "as", "to", "yeah", "what", "then"})
# Precise replacements for common intensifier + adjective pairs.
PRECISE_ADJECTIVES: dict[str, str] = {
    "good": "excellent / outstanding",
    "bad": "awful / dreadful",
    "big": "huge / enormous",
    "small": "tiny / cramped",
    "tired": "exhausted / drained",
    "happy": "delighted / thrilled",
    "sad": "devastated / heartbroken",
    "hot": "scorching / sweltering",
    "cold": "freezing / icy",
    "nice": "delightful / charming",
    "beautiful": "stunning / breathtaking",
    "interesting": "fascinating / absorbing",
    "important": "crucial / essential",
    "difficult": "demanding / gruelling",
    "hard": "gruelling / tough",
    "busy": "hectic / swamped",
    "expensive": "exorbitant / overpriced",
    "cheap": "inexpensive / affordable",
    "stressful": "nerve-racking / overwhelming",
    "scared": "terrified / petrified",
    "angry": "furious / livid",
    "funny": "hilarious",
    "old": "ancient / dated",
    "dirty": "filthy / grimy",
    "clean": "spotless",
    "quiet": "silent / tranquil",
    "loud": "deafening / noisy",
    "crowded": "packed / overcrowded",
    "friendly": "welcoming / warm",
    "delicious": "mouth-watering / exquisite",
    "emotional": "moving / touching",
    "surprised": "astonished / stunned",
    "excited": "thrilled / eager",
    "boring": "tedious / dull",
    "useful": "invaluable / indispensable",
    "demanding": "exacting / relentless",
    "amazing": "remarkable / unforgettable",
    "disgusting": "revolting / foul",
    "bright": "sunlit / luminous",
    "nervous": "anxious / jittery",
    "lucky": "fortunate",
    "helpful": "supportive / obliging",
    "perfect": "ideal / flawless",
    "patient": "unhurried / tolerant",
    "reasonable": "fair / affordable",
    "stupid": "foolish / absurd",
    "fast": "rapid / swift",
    "slow": "sluggish",
    "strong": "powerful / robust",
    "popular": "sought-after / in demand",
}

# vocabulary.vague_words
VAGUE_WORDS = frozenset({"thing", "things", "stuff", "good", "nice", "bad"})
VAGUE_ALTERNATIVES: dict[str, str] = {
    "thing": "aspect, issue, feature, factor",
    "things": "aspects, issues, details, belongings",
    "stuff": "belongings, equipment, material, activities",
    "good": "reliable, enjoyable, effective, generous",
    "nice": "pleasant, welcoming, charming, considerate",
    "bad": "poor, harmful, unpleasant, disappointing",
}

# vocabulary.connector_overuse: a connector's name -> token sequence.
CONNECTOR_PHRASES: tuple[tuple[str, ...], ...] = (
    ("and", "then"),
    ("after", "that"),
    ("as", "a", "result"),
    ("on", "the", "other", "hand"),
    ("in", "addition"),
    ("because", "of", "that"),
)
SINGLE_CONNECTORS = words(
    """
    so but because then also however although though while whereas therefore moreover besides
    anyway plus and yet furthermore still otherwise meanwhile afterwards since
    """
)
# Words that connect clauses wherever they appear; the others count only clause-initially.
ALWAYS_CONNECTING = frozenset(
    {"but", "because", "however", "although", "whereas", "therefore", "moreover", "furthermore"}
)
CONNECTOR_ALTERNATIVES: dict[str, str] = {
    "so": "therefore, as a result, which meant that, that's why",
    "and then": "after that, afterwards, once ..., later on",
    "then": "after that, afterwards, next, later on",
    "but": "however, although, whereas, even so",
    "because": "since, as, due to, which is why (flip the clauses)",
    "also": "in addition, moreover, what's more, on top of that",
    "however": "but, although, even so, that said",
    "and": "which, while, after which, so that",
    "anyway": "in any case, either way, be that as it may",
    "plus": "in addition, besides, what's more",
}

# vocabulary.word_repetition: content words too common to count as repetition.
STOPWORDS = words(
    """
    a about above after again against all almost alone along already also although always am
    among an and another any anybody anyone anything anyway are around as at away back be
    because been before being below between both but by can cannot could did do does doing done
    down during each either else enough even ever every everybody everyone everything few for
    from further get gets getting got had has have having he her here hers herself him himself
    his how however i if in into is it its itself just least less let like lot lots many may me
    might mine more most much must my myself near need never next no nobody none nor not nothing
    now of off often on once one only onto or other others our ours ourselves out over own
    per perhaps quite rather same several she should since so some somebody someone something
    sometimes still such than that the their theirs them themselves then there these they thing
    things this those though through thus to together too toward towards under until up upon us
    very was we well were what whatever when where whether which while who whom whose why will
    with within without would yes yet you your yours yourself yourselves yeah okay ok oh
    don't doesn't didn't can't couldn't won't wouldn't isn't wasn't aren't weren't i'm i've i'd
    i'll you're you've it's that's there's he's she's we're we've they're they've let's
    lot really actually maybe also first second last new old good bad great little big small
    long day days time times year years way people person go goes going went gone make makes
    making made take takes taking took taken come comes coming came see sees saw seen know
    knows knew known think thinks thought say says said tell told want wants wanted like likes
    liked use used try tried feel felt look looks looked give gave find found seem seemed keep
    kept put mean meant start started help helped work works worked live lives lived
    um uh er erm hmm mm umm uhm stuff kind sort guess suppose sure probably basically
    two three four five six seven eight nine ten hundred every week weeks month months today
    tomorrow yesterday morning evening night
    """
)

# grammar.article_omission: singular count nouns that need a determiner.
COUNT_NOUNS = words(
    """
    apartment flat house room kitchen garden balcony bedroom bathroom studio cottage villa cabin
    hut tent campsite hostel motel resort clinic factory warehouse workshop laboratory lab garage
    basement attic cellar corridor hall lobby lift elevator staircase roof terrace yard fence
    gate path lane avenue highway motorway tunnel roundabout harbour harbor port pier marina
    lighthouse terminal platform suburb neighbourhood neighborhood district region province
    county continent peninsula valley hill volcano glacier desert jungle field vineyard orchard
    cliff cave waterfall pond stream canal coast bay car bike bicycle bus train plane taxi boat
    ship truck lorry van motorbike motorcycle scooter tram vehicle jeep helicopter ambulance
    yacht canoe kayak tractor phone smartphone laptop computer tablet camera printer monitor
    keyboard charger router headphone microphone device gadget console book novel magazine
    newspaper letter email ticket passport bag suitcase backpack umbrella key wallet purse
    handbag pen pencil notebook folder envelope box bucket basket brush mirror towel blanket
    pillow mattress sofa couch armchair shelf cupboard wardrobe drawer oven microwave stove
    kettle toaster dishwasher heater radiator lamp candle clock watch ring necklace bracelet
    hat cap scarf glove coat jacket shirt dress skirt sweater jumper suit uniform shoe boot belt
    knife fork spoon pan pot bowl jar mug tool hammer drill ladder rope map guidebook dictionary
    textbook diary calendar postcard album painting statue sculpture instrument guitar piano
    violin drum ball racket helmet job boss colleague friend teacher doctor nurse engineer
    lawyer student waiter waitress manager driver pilot farmer fisherman chef architect designer
    programmer developer journalist writer artist musician actor actress singer scientist
    researcher accountant secretary cashier dentist vet soldier firefighter mechanic plumber
    electrician cleaner receptionist translator consultant psychologist therapist professor
    lecturer tutor volunteer member teenager child kid baby boy girl man woman person guy lady
    adult neighbour neighbor tourist traveller traveler visitor customer client patient
    passenger pedestrian cyclist guest stranger employee employer intern trainee apprentice
    clerk baker butcher surgeon pharmacist economist reporter editor author poet painter
    photographer dancer comedian athlete player referee fan relative nephew niece tenant owner
    candidate applicant winner champion hero leader politician dog cat horse cow pig goat
    chicken duck bird parrot rabbit rat snake lion tiger bear wolf fox monkey elephant giraffe
    whale dolphin shark insect spider bee city village country capital island beach mountain
    lake river forest park street road square bridge station airport hotel restaurant café cafe
    bar pub canteen shop store boutique supermarket market mall cinema theatre theater museum
    gallery gym library bank office company firm agency startup farm stadium club concert
    festival party wedding funeral ceremony meeting appointment conference competition
    tournament interview exam test quiz course lesson lecture seminar project assignment essay
    report presentation speech problem question answer idea decision mistake plan reason result
    example solution opportunity choice goal dream task challenge situation issue event trip
    journey weekend week month year hour minute moment day game match race film movie show song
    album story article picture photo image poster video website app blog podcast account thing
    password contract deal offer loan mortgage receipt bill invoice discount promotion
    building tower castle temple mosque fridge table chair desk window door bottle cup plate
    meal sandwich apple banana orange tree flower pool mix souvenir gift present bakery
    pharmacy centre center husband wife brother sister mother father son daughter uncle aunt
    cousin grandmother grandfather grandparent parent girlfriend boyfriend partner fiancé
    fiancée roommate flatmate coach landlord landlady accident injury flight area arm leg knee
    ankle foot nose tooth
    """
)
# Nouns used bare after a preposition in fixed phrases (at school, in town, on holiday):
# flagged only when an adjective shows they refer to one particular place or thing.
INSTITUTIONAL_NOUNS = words(
    """
    school university college church hospital prison bed town class sea court
    holiday vacation breakfast lunch dinner camp
    """
)
# Adjectives that name a type of institution: "in secondary school" needs no article.
CLASSIFIER_ADJECTIVES = words(
    """
    secondary primary high elementary middle junior senior grammar boarding medical law business
    art drama music language summer night evening public private state nursery graduate dental
    """
)
# Nouns that always take "the" in this sense.
UNIQUE_NOUNS = frozenset({"internet", "world", "environment", "economy", "sun", "moon", "sky"})
# After these verbs (any form) a singular count noun needs a determiner.
TRANSITIVE_VERBS = words(
    """
    have buy get find need want rent visit see watch take make book adopt read write meet build
    open start bring choose order sell own lose hire use borrow lend share call design fix
    repair paint cook bake drive ride catch miss organise organize plan
    """
)
# Preposition + bare noun idioms that are correct.
BARE_NOUN_IDIOMS = frozenset(
    {
        ("by", "car"),
        ("by", "bus"),
        ("by", "train"),
        ("by", "plane"),
        ("by", "taxi"),
        ("by", "bike"),
        ("by", "bicycle"),
        ("by", "boat"),
        ("by", "ship"),
        ("by", "tram"),
        ("by", "phone"),
        ("by", "email"),
        ("by", "mistake"),
        ("by", "accident"),
        ("on", "foot"),
        ("for", "example"),
        ("as", "example"),
        ("on", "purpose"),
        ("in", "person"),
        ("at", "first"),
        ("in", "fact"),
        ("on", "time"),
        ("at", "night"),
        ("as", "well"),
        ("in", "case"),
        ("of", "course"),
        ("at", "sea"),
        ("on", "board"),
        ("in", "public"),
        ("to", "date"),
        ("on", "stage"),
        ("in", "charge"),
        ("per", "day"),
        ("on", "tv"),
        ("in", "love"),
        ("at", "least"),
        ("take", "place"),
        ("make", "sense"),
        ("in", "detail"),
        ("on", "holiday"),
        ("for", "instance"),
        ("at", "random"),
        ("in", "time"),
        ("make", "friends"),
        ("change", "trains"),
        ("take", "part"),
        ("in", "question"),
        ("in", "return"),
        ("by", "chance"),
        ("in", "advance"),
        ("at", "work"),
        ("from", "work"),
        ("to", "work"),
        ("at", "home"),
        ("for", "work"),
        ("have", "fun"),
        ("become", "friends"),
        ("on", "track"),
        ("at", "heart"),
        ("as", "soon"),
        ("on", "average"),
        ("in", "total"),
        ("by", "heart"),
        ("in", "theory"),
        ("in", "practice"),
        ("on", "sale"),
        ("for", "sale"),
        ("of", "mind"),
        ("on", "top"),
        ("in", "front"),
        ("at", "risk"),
        ("in", "touch"),
        ("on", "screen"),
        ("at", "moment"),
        ("in", "moment"),
        ("for", "moment"),
        ("on", "air"),
        ("at", "hand"),
        ("by", "hand"),
        ("in", "hand"),
        ("on", "hand"),
        ("at", "dawn"),
        ("in", "bed"),
        ("of", "age"),
        ("in", "town"),
        ("at", "present"),
        ("as", "guest"),
        ("on", "loan"),
        ("on", "offer"),
        ("into", "account"),
        ("on", "account"),
        ("by", "train"),
        ("by", "foot"),
    }
)
# Preceding nouns after which "of + bare noun" is normal ("kind of car").
OF_BARE_OK = words(
    """
    kind sort type form version brand model style make variety sense lack piece bit way method
    means choice mode level degree amount sign feeling state matter question loss cost quality
    size shape colour color part rest lots lot plenty instead out because full proof capable
    afraid proud fond aware tired sick front top end middle edge side inside outside one most
    all some none each any both many few think thought talk talked dream dreamt dreamed hear
    heard course spite terms case behalf order head member manager director president mayor
    captain job position role title
    """
)
# Person nouns that can head a singular subject ("my brother live" -> "lives").
PERSON_NOUNS = words(
    """
    brother sister mother father mom mum dad friend boss teacher girlfriend boyfriend husband
    wife son daughter neighbour neighbor colleague manager roommate flatmate cousin uncle aunt
    grandmother grandfather grandma grandpa child kid baby partner doctor coach professor
    landlord landlady dog cat family-friend boss owner tutor trainer
    """
)
# Collective or plural-only nouns that may take a plural verb.
PLURAL_SUBJECT_NOUNS = frozenset({"people", "children", "men", "women", "police"})
INDEFINITE_SINGULAR_PRONOUNS = frozenset(
    {"everyone", "everybody", "someone", "somebody", "nobody", "anyone", "anybody", "each"}
)

# grammar.plural_countable
UNCOUNTABLE_PLURALS: dict[str, str] = {
    "informations": "information",
    "advices": "advice",
    "furnitures": "furniture",
    "equipments": "equipment",
    "knowledges": "knowledge",
    "homeworks": "homework",
    "feedbacks": "feedback",
    "luggages": "luggage",
    "baggages": "baggage",
    "softwares": "software",
    "hardwares": "hardware",
    "traffics": "traffic",
    "pollutions": "pollution",
    "sceneries": "scenery",
    "jewelleries": "jewellery",
    "jewelries": "jewelry",
    "weathers": "weather",
    "musics": "music",
    "stuffs": "stuff",
    "progresses": "progress",
    "researches": "research",
    "evidences": "evidence",
    "childrens": "children",
    "womens": "women",
    "mens": "men",
    "peoples": "people",
    "teeths": "teeth",
    "feets": "feet",
    "sheeps": "sheep",
    "mouses": "mice",
    "childs": "children",
    "gooses": "geese",
    "knowledge's": "knowledge",
    "accommodations": "accommodation",
    "trainings": "training",
    "vocabularies": "vocabulary",
    "moneys": "money",
    "breads": "bread",
    "healths": "health",
}
# Plurals above that are also verb forms or legitimate in some registers: only flagged after
# a quantifier or determiner.
AMBIGUOUS_PLURALS = words(
    """
    progresses researches peoples evidences accommodations trainings vocabularies moneys breads
    mouses
    """
)
UNCOUNTABLE_NOUNS = words(
    """
    information advice furniture equipment knowledge homework feedback luggage baggage software
    hardware traffic pollution scenery jewellery jewelry music money progress research evidence
    news accommodation bread weather stuff
    """
)
PLURAL_QUANTIFIERS = frozenset(
    {"many", "several", "few", "both", "various", "numerous", "these", "those"} | NUMBER_WORDS
)
# Nouns that are plural or invariant without -s, or that form measure compounds.
INVARIANT_NOUNS = words(
    """
    people police cattle staff crew fish sheep deer hundred thousand million billion dozen
    percent kind sort type series species aircraft data media times euro yen pound more other
    others of year-old euros
    """
)
MEASURE_COMPOUND_NEXT = words(
    """
    old long drive walk flight trip journey ride course break delay shift wait away high wide
    deep tall
    """
)

# grammar.past_tense
PAST_MARKER_UNITS = words(
    """
    night week weekend month year summer winter spring autumn fall time monday tuesday
    wednesday thursday friday saturday sunday semester term season christmas holiday holidays
    easter decade century january february march april may june july august september october
    november december
    """
)
PRESENT_MARKERS = words(
    """
    now today nowadays currently still anymore usually generally tomorrow will 'll tonight
    """
)
# Verbs of thinking and saying whose present form frames a past story naturally.
DISCOURSE_VERBS = words(
    """
    think remember guess mean know believe suppose hope wish bet say admit agree doubt imagine
    recall regret miss feel realise realize understand forget reckon assume must need want love
    like hate prefer enjoy appreciate see notice
    """
)
COMPLEMENTISERS = frozenset({"that", "how", "what", "why", "where", "who", "whether", "if"})
