/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Random container names, podman style: "adjective_surname". */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "engine/container.h"

static const char *const adjectives[] = {
        "admiring", "agitated",   "amazing",   "angry",     "awesome",   "beautiful",
        "blissful", "bold",       "boring",    "brave",     "busy",      "charming",
        "clever",   "compassionate", "competent", "condescending", "confident", "cool",
        "cranky",   "crazy",      "dazzling",  "determined", "distracted", "dreamy",
        "eager",    "ecstatic",   "elastic",   "elated",    "elegant",   "eloquent",
        "epic",     "exciting",   "fervent",   "festive",   "flamboyant", "focused",
        "friendly", "frosty",     "funny",     "gallant",   "gifted",    "goofy",
        "gracious", "great",      "happy",     "hardcore",  "heuristic", "hopeful",
        "hungry",   "infallible", "inspiring", "intelligent", "interesting", "jolly",
        "jovial",   "keen",       "kind",      "laughing",  "loving",    "lucid",
        "magical",  "modest",     "musing",    "mystifying", "naughty",   "nervous",
        "nice",     "nifty",      "nostalgic", "objective", "optimistic", "peaceful",
        "pedantic", "pensive",    "practical", "priceless", "quirky",    "quizzical",
        "recursing", "relaxed",   "reverent",  "romantic",  "sad",       "serene",
        "sharp",    "silly",      "sleepy",    "stoic",     "strange",   "stupefied",
        "suspicious", "sweet",    "tender",    "thirsty",   "trusting",  "unruffled",
        "upbeat",   "vibrant",    "vigilant",  "vigorous",  "wizardly",  "wonderful",
        "xenodochial", "youthful", "zealous",  "zen",
};

static const char *const surnames[] = {
        "agnesi",    "albattani", "allen",     "almeida",   "archimedes", "ardinghelli",
        "aryabhata", "austin",    "babbage",   "banach",    "bardeen",   "bartik",
        "bassi",     "bell",      "benz",      "bhabha",    "bhaskara",  "blackwell",
        "bohr",      "booth",     "borg",      "bose",      "boyd",      "brahmagupta",
        "brattain",  "brown",     "carson",    "chandrasekhar", "clarke", "colden",
        "cori",      "cray",      "curie",     "darwin",    "davinci",   "dijkstra",
        "dubinsky",  "easley",    "einstein",  "elion",     "engelbart", "euclid",
        "euler",     "fermat",    "fermi",     "feynman",   "franklin",  "galileo",
        "gates",     "goldberg",  "goldstine", "goldwasser", "golick",   "goodall",
        "hamilton",  "hawking",   "heisenberg", "hermann",  "hodgkin",   "hoover",
        "hopper",    "hugle",     "hypatia",   "jackson",   "jang",      "jennings",
        "jepsen",    "johnson",   "joliot",    "jones",     "kalam",     "kare",
        "keller",    "kepler",    "khorana",   "kilby",     "kirch",     "knuth",
        "kowalevski", "lalande",  "lamarr",    "lamport",   "leakey",    "leavitt",
        "lewin",     "liskov",    "lovelace",  "lumiere",   "mahavira",  "mayer",
        "mccarthy",  "mcclintock", "mclean",   "meitner",   "mendel",    "merkle",
        "mestorf",   "mirzakhani", "morse",    "murdock",   "napier",    "nash",
        "neumann",   "newton",    "nightingale", "nobel",   "noether",   "northcutt",
        "noyce",     "panini",    "pare",      "pascal",    "pasteur",   "payne",
        "perlman",   "pike",      "poincare",  "poitras",   "ptolemy",   "raman",
        "ramanujan", "ride",      "ritchie",   "robinson",  "roentgen",  "rosalind",
        "saha",      "sammet",    "shamir",    "shannon",   "shaw",      "shirley",
        "shockley",  "sinoussi",  "snyder",    "spence",    "stonebraker", "sutherland",
        "swanson",   "swartz",    "swirles",   "taussig",   "tesla",     "thompson",
        "torvalds",  "turing",    "varahamihira", "visvesvaraya", "volhard", "wescoff",
        "wiles",     "williams",  "wilson",    "wing",      "wozniak",   "wright",
        "yalow",     "yonath",
};

static unsigned rand_below(unsigned n)
{
        unsigned v = 0;
        if (getrandom(&v, sizeof v, 0) != (ssize_t) sizeof v)
                v = (unsigned) clock();
        return v % n;
}

int engine_name_generate(char *buf, size_t size)
{
        const char *a = adjectives[rand_below(ELEMENTSOF(adjectives))];
        const char *b = surnames[rand_below(ELEMENTSOF(surnames))];
        /* As docker's generator: no "boring_wozniak" (Steve Wozniak is not boring). */
        if (strcmp(a, "boring") == 0 && strcmp(b, "wozniak") == 0)
                b = "wilson";
        int n = snprintf(buf, size, "%s_%s", a, b);
        return n < 0 || (size_t) n >= size ? -ENOBUFS : 0;
}
