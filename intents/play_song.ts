import path from "node:path";
import { defineIntent, describeTrack, type MusicQuery, type Track } from "hark";

interface Args extends MusicQuery { again?: boolean }

const GENRES = [
    "jazz", "rock", "pop", "classical", "blues", "hip hop", "rap", "country", "metal", "heavy metal", "folk", "reggae", "soul",
    "funk", "disco", "electronic", "dance", "techno", "house", "ambient", "indie", "punk", "soft rock", "classic rock", "r and b",
    "gospel", "opera", "latin", "salsa", "k pop", "lullabies", "christmas", "kids", "children's", "lofi", "lo fi", "chill", "piano",
    "acoustic", "alternative", "grunge", "swing", "bluegrass", "edm", "trance", "dubstep", "ska", "motown", "oldies",
    // More styles by name, and rock's many kinds.
    "alternative rock", "indie rock", "hard rock", "punk rock", "pop rock", "folk rock", "southern rock", "gothic rock", "psychedelic rock",
    "christian rock", "symphonic rock", "progressive rock", "prog rock", "glam rock", "garage rock", "art rock", "math rock", "post rock",
    "rock and roll", "rockabilly", "pop punk", "emo", "hardcore", "death metal", "black metal", "thrash metal", "nu metal", "power metal",
    "drum and bass", "jungle", "breakbeat", "big beat", "booty bass", "trip hop", "deep house", "acid house", "garage", "grime", "drill",
    "synthpop", "synth pop", "new wave", "new age", "world music", "afrobeat", "afrobeats", "highlife", "bossa nova", "samba",
    "tango", "flamenco", "mariachi", "cumbia", "reggaeton", "bachata", "merengue", "zouk", "calypso", "dancehall", "dub", "ragtime",
    "big band", "bebop", "smooth jazz", "acid jazz", "fusion", "jazz fusion", "cool jazz", "free jazz", "chamber music", "baroque",
    "romantic", "minimalism", "soundtrack", "film score", "musical", "show tunes", "a cappella", "acapella", "choral", "barbershop",
    "folklore", "celtic", "bluegrass", "americana", "country rock", "outlaw country", "honky tonk", "western swing", "zydeco", "cajun",
    "doo wop", "rhythm and blues", "neo soul", "quiet storm", "northern soul", "trap", "crunk", "gangsta rap", "conscious hip hop",
    "j pop", "j rock", "c pop", "cantopop", "bollywood", "bhangra", "qawwali", "ghazal", "fado", "chanson", "schlager", "polka",
    "noise", "industrial", "shoegaze", "dream pop", "chillwave", "vaporwave", "lounge", "easy listening", "exotica", "revival",
    "instrumental", "meditation", "relaxing", "nursery rhymes", "children's music"
];

// Films, shows, spoken word, messages, games, devices and lists: a request for one of these is no request for music.
const NOT_MUSIC = [
    "movie", "movies", "film", "films", "episode", "episodes", "series", "season", "tv", "television", "documentary", "trailer",
    "cartoon", "cartoons", "video", "videos", "podcast", "podcasts", "radio", "station", "audiobook", "audiobooks", "chapter", "news",
    "commentary", "list", "vacuum", "dishwasher", "washing machine", "dryer", "oven", "lights", "heating", "speaker", "speakers",
    "headphones", "bbc", "voicemail", "voicemails", "voice mail", "voice messages",
    "next song", "next track", "previous song", "previous track",
    // Sounds and recordings that are not music: messages, notes, alarms, effects, talks, video and pictures.
    "recording", "recordings", "voice note", "voice notes", "voice memo", "voice memos", "memo", "memos", "message", "messages",
    "sound effect", "sound effects", "ringtone", "doorbell", "chime", "alarm", "alarm clock", "audio guide", "lecture", "sermon",
    "interview", "meeting", "footage", "clip", "clips", "slideshow", "photos", "pictures", "bedtime story", "bedtime stories",
    "story about", "stories about", "noise machine", "announcement", "instructions", "tutorial", "recipe", "ebook",
    // Games: "the game" is a rapper, so only games by kind or by name.
    "a game", "a game of", "games", "board game", "board games", "card game", "guessing game", "quiz", "trivia", "chess", "checkers",
    "scrabble", "monopoly", "sudoku", "crossword", "solitaire", "bingo", "charades", "hide and seek", "i spy", "twenty questions",
    "musical chairs", "lottery",
    // Appliances and things about the house, and the apps and lists on a phone.
    "kettle", "coffee machine", "coffee maker", "microwave", "fridge", "freezer", "fan", "heater", "air conditioning", "thermostat",
    "boiler", "blinds", "curtains", "garage door", "sprinkler", "sprinklers", "mower", "lawnmower", "printer", "camera", "toaster",
    "lamp", "computer", "laptop", "tablet", "cooker", "slow cooker", "grill", "app", "apps", "shopping list", "reminder",
    "reminders", "appointment", "calendar", "weather", "forecast"
];
// Games, consoles and streams by name: turned down when typed, not listened for (a short name is heard in real ones:
// "play let it be by the beatles" was heard as "play live stream by the beatles").
const NOT_MUSIC_NAMES = [
    "video game", "video games", "console", "wii", "xbox", "playstation", "nintendo", "game boy", "minecraft", "fortnite", "roblox",
    "pictionary", "mario kart", "tetris", "pac man", "jenga", "cluedo", "connect four", "snakes and ladders", "livestream", "live stream"
];
// Phrases that say where, when or how, not which: a service, a decade or year, a ranking, the kind of recording,
// "the band": taken off a name's ends ("blowfly from the seventies" → "blowfly"); a name of nothing else is none.
const SERVICE = "[(on|from|off of|off|using|with|in|via|through) [my|the]] <service>";
const FILLER = "(some|me some|a few|a bit of|a little|any|that|this|one of)";
// Whom it is for: "baby shark for the kids" is the song "baby shark" (no music name in SNIPS or SLURP ends so).
const FOR_WHOM = "for (me|us|(the|my|our) (kids|children|baby|little one|little ones|family|guests|party|girls|boys))";
const NOT_A_NAME = [
    SERVICE,
    FOR_WHOM,
    "[from|of|in] [the] (<era>|{year}|<decade>)",
    "[the|a|an|some|my] [<descriptor>|top {number}] [<era>|{year}|<decade>] <kind>",
    "[the|a|an|some|my] (<descriptor>|top {number}) [<era>|{year}|<decade>]",
    FILLER,
    "sort [it] [by] (<descriptor>|top|last|newest|popularity)",
    "[the|a|an|some|my] [<descriptor>|top {number}] [<era>|{year}|<decade>] [<kind>] (from|by|of) [the] [artist|band|singer]",
    "[by] [the] (artist|band|singer|group)"
];
// What no music is, by WordNet: any appliance, game, toy, film, video, show, broadcast, kitchen utensil, lesson, machine,
// computer, phone, app or piece of electronic equipment, by any of its names ("start the bread maker", "play
// backgammon"). Of the 3,037 music names in SNIPS and SLURP that the exclusions above let through, eleven are such a thing
// ("the game", "plays", "carina round", "midnight special", "stereo", "real talk", "the soft parade" ...; docs/precision.md).
// A name in the music folder plays whatever it is.
const NOT_MUSIC_KINDS = [
    "appliance", "game", "toy", "movie", "video", "television program", "broadcast", "kitchen utensil", "lesson", "machine", "computer",
    "telephone", "application", "electronic equipment",
    // Spoken word and occasions: services, debates, talks, mail, comedy, stories, tapes.
    "ceremony", "debate", "lecture", "electronic mail", "comedy", "monologue", "narrative", "news program", "tape recording",
    // Practice and notes: "the spelling practice", "the lesson notes" (no music name is either).
    "training", "written record", "personal letter",
    // Shows, acts and highlights: "the cooking show", "the puppet show", "the stand up routine", "the highlights of the match".
    "entertainment", "performance", "highlight", "show"
];
// Of NOT_MUSIC, those the speech grammar does not listen for: over the whole speech bench each was heard in place of a
// real name ("thriller" as "trailer", "workout" as "laptop") and never in a request for the thing (docs/precision.md).
const UNHEARD = new Set(["trailer", "audio guide", "tutorial", "printer", "grill", "laptop"]);
const notMusic = { wildcard: true as const, exclude: [...NOT_MUSIC, ...NOT_MUSIC_NAMES], hearExcluded: NOT_MUSIC.filter((phrase) => !UNHEARD.has(phrase)), notKinds: NOT_MUSIC_KINDS, trim: NOT_A_NAME };
// A playlist's name may well be "eighties hits" or "top 40": only the service, whom it is for and fillers come off it.
const playlist = { ...notMusic, trim: [SERVICE, FOR_WHOM, FILLER] };

// "music from the seventies": eras hark understands but has no slot for (yet).
const ERAS = "[the] (fifties|sixties|seventies|eighties|nineties|twenties|thirties|forties)";

function describeQuery(q: MusicQuery): string {
    if (q.playlist) return `a playlist called ${q.playlist}`;
    const parts = [q.song ?? (q.genre ? `${q.genre} music` : q.album ? `the album ${q.album}` : "songs"), q.artist && `by ${q.artist}`];
    return parts.filter(Boolean).join(" ");
}

export default defineIntent<Args>({
    name: "play_song",
    description: "Plays music from the local music folder: a song, an artist, an album, a playlist or a genre; or replays the last song.",
    args: {
        type: "object",
        properties: {
            song: { type: "string", description: "Song title" },
            artist: { type: "string", description: "Artist or band" },
            album: { type: "string", description: "Album title" },
            playlist: { type: "string", description: "Playlist name" },
            genre: { type: "string", description: "Music genre" },
            again: { type: "boolean", description: "Replay the last song" }
        },
        additionalProperties: false
    },
    slots: { song: notMusic, artist: notMusic, album: notMusic, playlist, genre: GENRES },
    rules: {
        // "open spotify and play ...": the service is ignored, hark plays local files.
        play: "[<service_prefix>] (play|put on|start playing|queue [up]|i want to hear|i want to listen to|i would like to hear|i would like to listen to|i wish to (hear|listen to)|let me hear|can you play|could you play|let us hear|listen to|play me|can i (hear|listen to)|could i (hear|listen to))",
        service_prefix: "(open|use|using|launch|on|with|in) [the service] <service> (and|to)",
        via: "(on|with|using|from|in) <service>",
        era: ERAS,
        decade: "(1920s|1930s|1940s|1950s|1960s|1970s|1980s|1990s|2000s|2010s|2020s|20s|30s|40s|50s|60s|70s|80s|90s|fourties|[the] 19 (20s|30s|40s|50s|60s|70s|80s|90s))",
        recording: "<kind>",
        kind: "(song|track|tune|melody|music|songs|tracks|tunes|ballad|hits|album|record|single|singles|chant|concerto|sound track|soundtrack|ep|lp|theme [song|music]|theme songs|movement|symphony|concert|opus)",
        descriptor: "(latest|newest|new|popular|best|greatest|biggest|top|most popular|top rated|favorite|favourite|last|recent|good|top 5|top 10)",
        service: "(spotify|deezer|pandora|youtube|youtube music|itunes|google music|google play music|lastfm|last fm|slacker|zvooq|groove shark|grooveshark|vimeo|netflix|soundcloud|napster|iheartradio|iheart|tidal|apple music|amazon music)",
        music: "(music|songs|tracks|tunes|a song|some songs|something|anything|a track)"
    },
    // Streaming-service phrasings come from typed requests, and decades and rankings ("the twenties", "new", "top 10")
    // carry no argument: spoken to hark they only give other speech a sentence to be forced into.
    textOnlyRules: ["service_prefix", "via", "era", "descriptor", "recording"],
    sentences: [
        // "the" of a bare name is part of it ("play the beatles"); of "the song ..." it is not.
        "<play> [me] [the (song|track|tune)|song|track|tune] {song} [<via>]",
        "<play> [me] [the] [song|track] {song} [track|song] (by|from) {artist} [<via>]",
        "<play> [me] [some] [<music>] (by|from) [the band|the artist] {artist} [<via>]",
        "<play> [me] [the|a|an|some|my] [<descriptor>] [<era>] <kind> (by|from|of) {artist} [<via>]",
        "<play> [me] [the|some|a few] [<descriptor>] [<era>] {artist} (music|songs|tracks|hits|album) [<via>]",
        // A name before any kind of recording is its artist ("a johnny cash ep", "some leonard cohen songs from the
        // seventies"); typed only, as the kinds would widen the speech grammar by thirty words after every name.
        "<play> [me] [the|some|a few|a|an] [<descriptor>] [<era>] {artist} <recording> [[from|of] [the] <era>] [<via>]",
        // ... and so is a name said with "'s" ("adele's new album", "bob marley's redemption song").
        "<play> [me] [the|some|a few] [<descriptor>] {artist}'s [<descriptor>] [<era>] [<kind>] [[from|of] [the] <era>] [<via>]",
        "<play> [me] {artist}'s {song} [<via>]",
        "<play> [me] {artist}'s {album} (album|record|ep|lp) [<via>]",
        "<play> [me] [some|a little|a little bit of|a bit of] [<era>] {genre} [<music>] [[from|of] [the] <era>] [<via>]",
        "put [some] {genre} [music] on",
        "<play> [me] [some|a few] {genre} [<music>] (by|from) {artist} [<via>]",
        "<play> [me] [the] album {album} [(by|from) {artist}] [<via>]",
        "<play> [me] [<music>] (from|off|off of) the (album|record) {album} [(by|from) {artist}] [<via>]",
        "<play> [me] [the] {album} (album|record) [(by|from) {artist}] [<via>]",
        "<play> [me] [a|one] [song|track] (off|off of) {album} [(by|from) {artist}] [<via>]",
        "<play> [me] [a|one] [song|track] (off|off of|from) {artist}'s {album} [album|record] [<via>]",
        "<play> [me] [<music>] from the (track|song) {song} [(by|from) {artist}] [<via>]",
        "<play> [me] [some] [<music>] (in|from) the genre {genre} [<via>]",
        "<play> [me] [some] [<music>] from the {genre} genre [<via>]",
        "(<play>|start [up]) [me] [my] [the] {playlist} playlist [<via>]",
        "(<play>|start [up]) [me] [my] [the] [<music>] [from] [the|my] playlist {playlist} [<via>]",
        "<play> [some|me some] [<music>] [<via>]",
        "<play> [me] [some|a|an] [<descriptor>] [<music>|<kind>] (from|of) [the year|the] <era> [<via>]",
        "<play> [me] [some] [<descriptor>] <era> [<music>|<kind>] [<via>]",
        "<play> [my] music",
        "(shuffle|turn on|open|tune in|start) [my|some|a|all] [my] (music|song|songs|library)",
        "music on",
        { sentences: ["(play|replay) (it|that|that song|this song|the last song|the song) again", "replay [that|the last song|it]", "(play|hear) (it|that) one more time"], args: { again: true } }
    ],
    examples: [
        { text: "play baby shark", args: { song: "baby shark" } },
        { text: "play bohemian rhapsody by queen", args: { song: "bohemian rhapsody", artist: "queen" } },
        { text: "play some music by the beatles", args: { artist: "the beatles" } },
        { text: "play some jazz", args: { genre: "jazz" } },
        { text: "put on my workout playlist", args: { playlist: "workout" } },
        { text: "play the album abbey road", args: { album: "abbey road" } },
        { text: "play it again", args: { again: true } },
        { text: "i want to hear some music", args: {} }
    ],
    async handler({ args, services, state, config }) {
        let tracks: Track[];
        if (args.again) {
            const last = state.get<Track>("music.last");
            if (!last) return "I haven't played anything yet.";
            tracks = [last];
        } else {
            const { again: _, ...query } = args;
            // The words are looked up as said, then as what else they may name in the library: "play the beatles" (a
            // lone name that is no title) may be an artist or an album, "play abbey road by the beatles" an album, and
            // "play stand by me" may have been read as song "stand", artist "me".
            const readings: MusicQuery[] = [query];
            if (query.song && Object.keys(query).length === 1) readings.push({ artist: query.song }, { album: query.song });
            if (query.song && query.artist && Object.keys(query).length === 2) readings.push({ album: query.song, artist: query.artist }, { song: `${query.song} by ${query.artist}` });
            tracks = [];
            for (const reading of readings) {
                tracks = await services.music.search(reading);
                if (tracks.length > 0) break;
            }
            if (tracks.length === 0) {
                if (services.music.reading) return "I'm still reading your music library. Ask me again in a moment.";
                const any = (await services.music.scan()).length > 0;
                return any
                    ? `I couldn't find ${describeQuery(query)} in your music.`
                    : `I couldn't find any music in ${config.music.dir}. Put some files there, or set music.dir in the config.`;
            }
        }
        const first = tracks[0]!;
        state.set("music.last", first);
        try {
            await services.music.play(tracks);
        } catch (error) {
            return { speech: `I found ${describeTrack(first)}, but I couldn't play it: ${(error as Error).message}`, data: { file: first.file, error: (error as Error).message } };
        }
        const rest = tracks.length - 1;
        return {
            speech: `Playing ${describeTrack(first)}${rest > 0 ? `, then ${rest} more` : ""}.`,
            data: { files: tracks.map((t) => path.basename(t.file)) }
        };
    }
});
