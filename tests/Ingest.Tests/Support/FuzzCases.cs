using System.Text;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>
/// One fuzzed request: its bytes, how many of them to send and how the connection ends. <see cref="HeadLevel"/> marks
/// requests broken at the HTTP level (request line, headers, framing), which Kestrel refuses itself, before any
/// endpoint runs: their 4xx carries no body of the service's.
/// </summary>
internal sealed record FuzzCase(int Index, string Endpoint, string Mutations, byte[] Request, int SendBytes, RawEnding Ending, bool HeadLevel,
    string? IdempotencyKey)
{
    public override string ToString() => $"#{Index} {Endpoint} [{Mutations}]";
}

/// <summary>
/// Deterministic fuzzed requests to POST /generate/cinematic (multipart and JSON) and POST /dev/run: a valid request
/// of the case's seed, then one to three mutations of its multipart framing, boundary, encodings, headers, sizes, JSON
/// types and depths, magic bytes, control characters or file names. Every description, media file and key carries a
/// marker (<see cref="DescriptionMarker"/>, <see cref="MediaMarker"/>, <see cref="KeyMarker"/>), so that a log line
/// holding any of them can be found.
/// </summary>
internal sealed class FuzzCases(int seed, string host, string apiKey)
{
    public const string DescriptionMarker = "DESCMARK";
    public const string MediaMarker = "MEDIAMARK";
    public const string KeyMarker = "IDEMMARK";

    /// <summary>The marker in base64, as it appears in JSON bodies: media put it at an offset divisible by 3.</summary>
    public static readonly string MediaMarkerBase64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(MediaMarker));

    private static readonly byte[][] Magic =
    [
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0], // PNG
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01], // JPEG
        [0, 0, 0, 24, .. "ftypisom"u8, 0, 0, 2, 0, .. "isom"u8, 0, 0], // MP4
        [0, 0, 0, 20, .. "ftypqt  "u8, 0, 0, 2, 0, .. "qt  "u8, 0, 0], // MOV
    ];

    private static readonly byte[][] WrongMagic =
    [
        "GIF89a"u8.ToArray(), "%PDF-1.7"u8.ToArray(), [0, 0, 0, 24, .. "ftypheic"u8], [0, 0, 0, 24, .. "ftypM4A "u8], "RIFF\0\0\0\0WEBP"u8.ToArray(),
        [0x89, 0x50, 0x4E], [0xFF, 0xD8], [0, 0, 0, 24, .. "ftyp"u8], "<svg xmlns='http://www.w3.org/2000/svg'/>"u8.ToArray(), "BM"u8.ToArray(), [],
    ];

    private static readonly string[] Fields =
        ["scene_description", "prompt", "style_preset", "output_count", "aspect_ratio", "task", "provider", "model", "duration_seconds", "seamless_loop", "seed", "camera_motion"];

    private static readonly string[] Junk =
    [
        "", " ", "0", "-1", "6", "2.5", "1e3", "99999999999999999999", "NaN", "true", "null", "[]", "{}", "abc", "16:9", "0:1", "100:0", "9:16", "original",
        "IMAGE_GENERATION", "VIDEO_GENERATION", "TEXT_TO_VIDEO", "REPLICATE", "RUNWAY", "LEONARDO", "medieval", "black-forest-labs/flux-dev", "\u0000", "\r\n",
        "\u202e\u0000\u001b[31m", "\ud83d\ude00", new string('x', 300), "%00", "../../etc/passwd", "' OR 1=1 --", "<script>alert(1)</script>",
    ];

    private readonly string _host = host;

    public FuzzCase Create(int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        var draft = (index % 10) switch
        {
            < 5 => Multipart(random, index),
            < 8 => Json(random, index, devRun: false),
            _ => Json(random, index, devRun: true),
        };

        // About one in twelve stays as it is (valid, to be accepted); the rest get one to three mutations.
        var count = random.Next(12) == 0 ? 0 : random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            Mutate(random, draft, index);
        }

        var bytes = draft.Build(_host);
        var send = draft.SendLimit is { } limit ? Math.Min(limit, bytes.Length) : bytes.Length;
        var key = draft.Headers.Where(h => h.Name == "Idempotency-Key").Select(h => h.Value).LastOrDefault();
        return new FuzzCase(index, draft.Path, string.Join(", ", draft.Mutations), bytes, send, draft.Ending, draft.HeadLevel, key);
    }

    private Draft Multipart(Random random, int index)
    {
        var boundary = "----fuzz" + random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var draft = new Draft("/generate/cinematic", apiKey) { Boundary = boundary, ContentType = $"multipart/form-data; boundary={boundary}" };
        draft.Parts.Add(Part.Field("scene_description", Description(random, index)));
        if (random.Next(4) == 0)
        {
            draft.Parts.Add(Part.Field(Fields[random.Next(2, 5)], random.Next(3) switch { 0 => "2", 1 => "16:9", _ => "1" }));
        }

        draft.Parts.Add(Part.File("media", "photo.png", "image/png", Media(random, Magic[random.Next(Magic.Length)])));
        MaybeKey(random, draft, index);
        return draft;
    }

    private Draft Json(Random random, int index, bool devRun)
    {
        var image = Convert.ToBase64String(Media(random, Magic[random.Next(2)]));
        var fields = new Dictionary<string, JsonValue>
        {
            [devRun ? "prompt" : "scene_description"] = JsonValue.Of(Description(random, index)),
            [devRun ? "image" : "media"] = JsonValue.Of(random.Next(3) == 0 ? "data:image/png;base64," + image : image),
        };
        var draft = new Draft(devRun ? "/dev/run" : "/generate/cinematic", apiKey) { ContentType = "application/json", Json = fields, DevRun = devRun };
        MaybeKey(random, draft, index);
        return draft;
    }

    /// <summary>Every case has a key of its own, so that any event on the topic can be traced to its case.</summary>
    private static void MaybeKey(Random random, Draft draft, int index) =>
        draft.Headers.Add(("Idempotency-Key", $"{KeyMarker}-{index}-{random.Next():x}"));

    private static string Description(Random random, int index) =>
        $"a medieval knight in a castle {DescriptionMarker}{index:x} " + new string('k', random.Next(0, 60));

    /// <summary>Magic bytes, the media marker, then filler: 100 bytes to 16 KB.</summary>
    private static byte[] Media(Random random, byte[] magic)
    {
        var media = new byte[magic.Length + MediaMarker.Length + random.Next(100, 16 * 1024)];
        magic.CopyTo(media, 0);
        Encoding.ASCII.GetBytes(MediaMarker).CopyTo(media, magic.Length);
        random.NextBytes(media.AsSpan(magic.Length + MediaMarker.Length));
        return media;
    }

    private static T Pick<T>(Random random, params T[] items) => items[random.Next(items.Length)];

    private static void Mutate(Random random, Draft d, int index)
    {
        var multipart = d.Json is null;
        var choice = random.Next(100);
        switch (choice)
        {
            // --- the body's own content ---
            case < 30 when multipart:
                MutateMultipart(random, d, index);
                break;
            case < 30:
                MutateJson(random, d);
                break;

            // --- headers the service reads ---
            case < 40:
                var contentType = Pick(random, "", "text/plain", "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                    "multipart/mixed; boundary=x", "application/json; charset=utf-16", "application/json; charset=latin1", "application/problem+json",
                    "application/x-www-form-urlencoded", "multipart/form-data; boundary=" + new string('b', 250), "application/json;;;", "*/*", "json",
                    "multipart/form-data; boundary=a; boundary=b", "application/octet-stream", "image/png");
                d.ContentType = contentType.Length == 0 ? null : contentType;
                d.Mutations.Add($"content-type '{contentType}'");
                break;
            case < 46:
                var key = Pick(random, new string('k', 256), "key with space", "ключ", "k\u0001ey", "k\tey", $"{KeyMarker}\u007f", $"{KeyMarker}-{index}-a\"b", $"{KeyMarker}-{index}");
                d.Headers.RemoveAll(h => h.Name == "Idempotency-Key");
                d.Headers.Add(("Idempotency-Key", key));
                d.HeadLevel |= key.Any(c => c > 127 || (char.IsControl(c) && c != '\t'));
                d.Mutations.Add("idempotency-key");
                break;
            case < 50:
                var header = Pick(random, "X-Correlation-Id", "X-Requester", "Expect", "Content-Encoding", "Accept", "Authorization", "X-Api-Key", "Transfer-Encoding", "Content-Length");
                var value = Pick(random, "", "100-continue", "gzip", "x\u0001y", new string('v', 9000), "../..", "Bearer ", "Bearer wrong", "chunked", "-1", "abc", "skill:x");
                d.HeadLevel |= value.Any(char.IsControl) || header is "Transfer-Encoding" or "Content-Length" or "Expect";
                if (header == "Authorization")
                {
                    d.ApiKey = null;
                }

                d.Headers.Add((header, value));
                d.Mutations.Add($"header {header}");
                break;
            case < 53:
                d.Headers.Add(("X-Big", new string('h', random.Next(20_000, 70_000))));
                d.HeadLevel = true;
                d.Mutations.Add("huge header");
                break;
            case < 55:
                for (var i = 0; i < 120; i++)
                {
                    d.Headers.Add(($"X-Many-{i}", "1"));
                }

                d.HeadLevel = true;
                d.Mutations.Add("many headers");
                break;

            // --- request line ---
            case < 60:
                var (method, path, headLevel) = Pick(random,
                    ("PUT", d.Path, false), ("GET", d.Path, false), ("POST", d.Path + "/", false), ("POST", d.Path.ToUpperInvariant(), false),
                    ("POST", d.Path + "?x=%0d%0aFORGED", false), ("POST", "/requests/%0d%0aFORGED-LINE", false), ("GET", "/requests/%0D%0AFORGED-LINE%0D%0A", false),
                    ("GET", "/requests/..%2f..%2fetc", false), ("POST", d.Path + "%00", true), ("POST", "/dev/run/../generate/cinematic", false),
                    ("POST", "*", true), ("P\u0001ST", d.Path, true), ("POST", d.Path + " HTTP/1.1\r\nX-Injected: 1", true), ("POST", "/" + new string('p', 10_000), true));
                (d.Method, d.Path) = (method, path);
                d.HeadLevel |= headLevel;
                d.Mutations.Add($"request line {method} {(path.Length > 40 ? path[..40] : path)}");
                break;

            // --- framing and the connection ---
            case < 66:
                d.Framing = Framing.Chunked;
                d.ChunkJunk = random.Next(3) switch { 0 => null, 1 => "zz", _ => "ffffffffffffffffffff" };
                d.HeadLevel |= d.ChunkJunk is not null;
                d.Mutations.Add($"chunked {d.ChunkJunk}");
                break;
            case < 70:
                d.Framing = Framing.Both;
                d.HeadLevel = true;
                d.Mutations.Add("content-length and chunked");
                break;
            case < 74:
                d.DeclaredExtra = random.Next(1, 100_000);
                d.Ending = RawEnding.HalfClose;
                d.HeadLevel = true;
                d.Mutations.Add("body shorter than declared");
                break;
            case < 76:
                d.DeclaredExtra = -random.Next(1, 200);
                d.Mutations.Add("body longer than declared");
                break;
            case < 80:
                d.CutAt = random.NextDouble();
                d.Ending = RawEnding.Reset;
                d.Mutations.Add("reset mid-request");
                break;
            case < 82:
                d.Framing = Framing.None;
                d.Mutations.Add("no content-length");
                break;

            // --- sizes ---
            case < 85:
                d.DeclaredLength = Pick(random, 30L * 1024 * 1024, 200L * 1024 * 1024, long.MaxValue / 2);
                d.Ending = RawEnding.HalfClose;
                d.SendHeadOnly = true;
                d.Mutations.Add($"declared {d.DeclaredLength} bytes");
                break;
            case < 87 when multipart:
                d.Parts.Insert(0, Part.Field(Pick(random, "scene_description", "style_preset", "camera_motion"), new string('x', random.Next(64 * 1024 - 10, 80 * 1024))));
                d.Mutations.Add("field over 64 KB");
                break;
            case < 87:
                d.Json![Pick(random, "scene_description", "prompt", "camera_motion", "style_preset")] = JsonValue.Of(new string('y', random.Next(2000, 300_000)));
                d.Mutations.Add("long string");
                break;
            case < 88 when index % 1500 == 7:
                // A few uploads over the image limit: 16 MiB and a little.
                var big = new byte[16 * 1024 * 1024 + random.Next(1, 5000)];
                Magic[0].CopyTo(big, 0);
                if (multipart)
                {
                    d.Parts.RemoveAll(p => p.Name == "media");
                    d.Parts.Add(Part.File("media", "big.png", "image/png", big));
                }
                else
                {
                    d.Json![d.DevRun ? "image" : "media"] = JsonValue.Of(Convert.ToBase64String(big));
                }

                d.Mutations.Add("image over 16 MiB");
                break;

            // --- media content and names ---
            default:
                var magic = WrongMagic[random.Next(WrongMagic.Length)];
                var media = Media(random, magic);
                if (random.Next(5) == 0)
                {
                    media = media[..random.Next(0, Math.Min(media.Length, 20))];
                }

                if (multipart)
                {
                    var part = d.Parts.FindIndex(p => p.Name == "media");
                    if (part >= 0)
                    {
                        d.Parts[part] = d.Parts[part] with { Body = media };
                    }
                }
                else
                {
                    d.Json![d.DevRun ? "image" : "media"] = JsonValue.Of(Convert.ToBase64String(media));
                }

                d.Mutations.Add($"media of {media.Length} bytes with other magic");
                break;
        }
    }

    private static void MutateMultipart(Random random, Draft d, int index)
    {
        switch (random.Next(16))
        {
            case 0:
                d.BodyBoundary = Pick(random, "other", d.Boundary + "x", d.Boundary![..^1], "", " ", new string('b', 80));
                d.Mutations.Add("boundary differs from the header's");
                break;
            case 1:
                d.TruncateBody = random.NextDouble();
                d.Mutations.Add("form cut short");
                break;
            case 2:
                d.NoCloseDelimiter = true;
                d.Mutations.Add("no closing boundary");
                break;
            case 3:
                d.LineEnding = "\n";
                d.Mutations.Add("LF line endings");
                break;
            case 4:
                d.Preamble = Encoding.UTF8.GetBytes(Pick(random, "garbage before\r\n", new string('p', 5000), "--", "\r\n\r\n"));
                d.Epilogue = Encoding.UTF8.GetBytes(Pick(random, "", "tail", new string('e', 70_000), "--" + d.Boundary + "\r\n"));
                d.Mutations.Add("preamble and epilogue");
                break;
            case 5 when d.Parts.Count > 0:
                var i = random.Next(d.Parts.Count);
                d.Parts[i] = d.Parts[i] with
                {
                    Headers = Pick(random, "", "Content-Disposition: form-data", "Content-Disposition: attachment; name=\"media\"", "no colon here",
                        "Content-Disposition: form-data; name=", "Content-Disposition: form-data; name=\"scene_description\"; name=\"media\"",
                        "Content-Disposition: form-data; name=\"media\"; filename=\"a.png\"\r\n" + new string('H', 17_000) + ": x",
                        string.Join("\r\n", Enumerable.Range(0, 20).Select(n => $"X-Part-{n}: {n}")) + "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.png\"",
                        "Content-Disposition: form-data; name=\"media\"; filename*=UTF-8''%E2%9C%93.png", "Content-Disposition: form-data; name=\"\u00e9\"",
                        "Content-Disposition: form-data; name=\"media\"; filename=\"" + new string('f', 5000) + "\""),
                };
                d.Mutations.Add("part headers");
                break;
            case 6:
                var media = d.Parts.FindIndex(p => p.Name == "media");
                if (media >= 0)
                {
                    var name = Pick(random, "", "../../../etc/passwd", "photo.png\u0000.exe", "C:\\photos\\me.jpg", "фото.png", "\ud83d\ude00.jpg", "a\"b.png", "%0d%0a.png",
                        "photo.png\r\nX-Injected: 1", new string('n', 3000) + ".png", "photo.gif");
                    d.Parts[media] = d.Parts[media] with
                    {
                        Headers = $"Content-Disposition: form-data; name=\"media\"; filename=\"{name}\"\r\nContent-Type: image/png",
                    };
                    d.Mutations.Add("file name");
                }

                break;
            case 7:
                d.Parts.RemoveAll(p => p.Name == "scene_description");
                if (random.Next(2) == 0)
                {
                    d.Parts.Insert(0, new Part("scene_description", Part.Field("scene_description", "").Headers,
                        Pick(random, "", "short", new string(' ', 50), "knight \u0000 in a castle long enough", "knight\r\n\r\n--in a castle ok", "ok " + new string('d', 2001)).Select(c => (byte)c).ToArray()));
                }

                d.Mutations.Add("description missing or odd");
                break;
            case 8:
                d.Parts.RemoveAll(p => p.Name == "scene_description");
                var invalid = Pick(random, new byte[] { 0xFF, 0xFE }, [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82]);
                d.Parts.Insert(0, new Part("scene_description", Part.Field("scene_description", "").Headers,
                    [.. Encoding.UTF8.GetBytes($"knight {DescriptionMarker}{index:x} "), .. invalid, .. "in a castle"u8]));
                d.Mutations.Add("description with invalid UTF-8");
                break;
            case 9:
                d.Parts.Insert(random.Next(d.Parts.Count + 1), Part.Field(Fields[random.Next(Fields.Length)], Pick(random, Junk)));
                d.Mutations.Add("field with junk");
                break;
            case 10:
                d.Parts.Add(Part.File(Pick(random, "media", "avatar", ""), "second.png", "image/png", Media(random, Magic[0])));
                d.Mutations.Add("second file");
                break;
            case 11:
                for (var n = 0; n < 40; n++)
                {
                    d.Parts.Insert(0, Part.Field($"f{n}", "x"));
                }

                d.Mutations.Add("many fields");
                break;
            case 12:
                d.Parts.RemoveAll(p => p.Name == "media");
                if (random.Next(2) == 0)
                {
                    d.Parts.Add(Part.Field("media", Pick(random, "", "not a file", "data:image/png;base64,AAAA")));
                }

                d.Mutations.Add("media missing or text");
                break;
            case 13:
                d.Parts.Reverse();
                d.Mutations.Add("media first");
                break;
            case 14:
                d.BoundaryInHeader = Pick(random, "\"" + d.Boundary + "\"", d.Boundary + "; charset=utf-8", d.Boundary + " ", "\"" + d.Boundary);
                d.Mutations.Add("boundary parameter spelled differently");
                break;
            default:
                d.Parts.Clear();
                d.Mutations.Add("no parts");
                break;
        }
    }

    private static void MutateJson(Random random, Draft d)
    {
        var json = d.Json!;
        var mediaField = d.DevRun ? "image" : "media";
        switch (random.Next(12))
        {
            case 0:
                d.RawJson = Pick(random, "", " ", "null", "[]", "[1,2]", "42", "\"text\"", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{\"a\":NaN}", "{\"a\":1} trailing",
                    "{/* comment */}", "\uFEFF{}", "{\"payload\":" + new string('[', 20) + new string(']', 20) + "}", new string('[', 100_000), "{\"a\":\"\\ud800\"}",
                    "{\"a\":\"\\u0000\"}", "{\"prompt\":\"a\tb raw tab in a string\"}", "{\"a\":1e99999}", "{\"\":1}", "{\"payload\":{\"payload\":{\"payload\":{}}}}");
                d.Mutations.Add("JSON text");
                break;
            case 1:
                d.TruncateBody = random.NextDouble();
                d.Mutations.Add("JSON cut short");
                break;
            case 2:
                json[Fields[random.Next(Fields.Length)]] = RandomValue(random, 0);
                d.Mutations.Add("field of another type");
                break;
            case 3:
                json[Pick(random, "scene_description", "prompt", mediaField)] = RandomValue(random, 0);
                d.Mutations.Add("required field of another type");
                break;
            case 4:
                json[mediaField] = JsonValue.Of(Pick(random, "", "not base64!", "AAAA", "====", "data:image/png,abc", "data:;base64,", "data:image/png;base64,%%%",
                    "http://127.0.0.1:1/photo.png", "http://localhost/photo.png", "https://[::1]/x.png", "http://169.254.169.254/latest/meta-data", "ftp://example.com/x.png",
                    "file:///etc/passwd", "http://", "https://%zz/", "iVBORw0KGgo=\n\r\n", "iVBO Rw0K Ggo=", "-_-_", "http://0x7f000001/x.png"));
                d.Mutations.Add("media value");
                break;
            case 5:
                d.InvalidUtf8 = Pick(random, new byte[] { 0xFF }, [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]);
                d.InvalidUtf8InName = random.Next(2) == 0;
                d.Mutations.Add($"invalid UTF-8 in a {(d.InvalidUtf8InName ? "name" : "value")}");
                break;
            case 6:
                json[Pick(random, "scene_description", "prompt", "style_preset")] = JsonValue.Of(Pick(random, "\u0000\u0001\u001b[2J knight in a castle", "knight\r\n2026-01-01 FORGED",
                    "\ud800 lone surrogate in a castle", "\u202e knight reversed in a castle", "          ", "short"));
                d.Mutations.Add("control characters");
                break;
            case 7:
                json["payload"] = Nested(random.Next(10, 40));
                d.Mutations.Add("deep nesting");
                break;
            case 8:
                d.DuplicateKeys = true;
                d.Mutations.Add("duplicate keys");
                break;
            case 9:
                if (d.DevRun)
                {
                    d.DevRunShape = Pick(random, "flat", "payload-array", "payload-string", "payload-null", "no-payload");
                    d.Mutations.Add($"/dev/run shape {d.DevRunShape}");
                }
                else
                {
                    json["payload"] = JsonValue.Raw("{\"image\":\"x\"}");
                    d.Mutations.Add("payload on /generate");
                }

                break;
            case 10:
                json.Remove(Pick(random, "scene_description", "prompt", mediaField));
                d.Mutations.Add("field missing");
                break;
            default:
                json[Fields[random.Next(Fields.Length)]] = JsonValue.Of(Pick(random, Junk));
                d.Mutations.Add("field with junk");
                break;
        }
    }

    private static JsonValue RandomValue(Random random, int depth) => random.Next(depth > 3 ? 6 : 8) switch
    {
        0 => JsonValue.Raw(Pick(random, "0", "-0", "1.5", "1e308", "-1e400", "18446744073709551616", "3")),
        1 => JsonValue.Raw(Pick(random, "true", "false")),
        2 => JsonValue.Raw("null"),
        3 => JsonValue.Of(Pick(random, Junk)),
        4 => JsonValue.Raw("\"\\u0000\\ud83d\\ude00\\n\""),
        5 => JsonValue.Raw("\"" + new string('z', random.Next(0, 5000)) + "\""),
        6 => JsonValue.Raw("[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1).Text)) + "]"),
        _ => JsonValue.Raw("{\"k\":" + RandomValue(random, depth + 1).Text + "}"),
    };

    private static JsonValue Nested(int depth) => JsonValue.Raw(new string('[', depth) + new string(']', depth));

    /// <summary>A JSON value as text.</summary>
    private sealed record JsonValue(string Text)
    {
        public static JsonValue Of(string value) => new(System.Text.Json.JsonSerializer.Serialize(value));

        public static JsonValue Raw(string text) => new(text);
    }

    private enum Framing
    {
        ContentLength,
        Chunked,
        Both,
        None,
    }

    private sealed record Part(string Name, string Headers, byte[] Body)
    {
        public static Part Field(string name, string value) =>
            new(name, $"Content-Disposition: form-data; name=\"{name}\"", Encoding.UTF8.GetBytes(value));

        public static Part File(string name, string fileName, string contentType, byte[] body) =>
            new(name, $"Content-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\nContent-Type: {contentType}", body);
    }

    /// <summary>A request being put together and taken apart; <see cref="Build"/> turns it into bytes.</summary>
    private sealed class Draft(string path, string? apiKey)
    {
        public string Method { get; set; } = "POST";

        public string Path { get; set; } = path;

        public string? ApiKey { get; set; } = apiKey;

        public string? ContentType { get; set; }

        public List<(string Name, string Value)> Headers { get; } = [];

        public List<string> Mutations { get; } = [];

        public bool HeadLevel { get; set; }

        public RawEnding Ending { get; set; } = RawEnding.Open;

        public int? SendLimit { get; set; }

        public Framing Framing { get; set; } = Framing.ContentLength;

        public string? ChunkJunk { get; set; }

        public long? DeclaredLength { get; set; }

        public int DeclaredExtra { get; set; }

        public bool SendHeadOnly { get; set; }

        public double? CutAt { get; set; }

        public double? TruncateBody { get; set; }

        // multipart
        public string? Boundary { get; init; }

        public string? BodyBoundary { get; set; }

        public string? BoundaryInHeader { get; set; }

        public List<Part> Parts { get; } = [];

        public bool NoCloseDelimiter { get; set; }

        public string LineEnding { get; set; } = "\r\n";

        public byte[] Preamble { get; set; } = [];

        public byte[] Epilogue { get; set; } = "\r\n"u8.ToArray();

        // JSON
        public Dictionary<string, JsonValue>? Json { get; init; }

        public bool DevRun { get; init; }

        public string? DevRunShape { get; set; }

        public string? RawJson { get; set; }

        public byte[]? InvalidUtf8 { get; set; }

        public bool InvalidUtf8InName { get; set; }

        public bool DuplicateKeys { get; set; }

        public byte[] Build(string host)
        {
            var body = Json is null ? MultipartBody() : JsonBody();
            if (TruncateBody is { } cut)
            {
                body = body[..(int)(body.Length * cut)];
            }

            var head = new StringBuilder();
            head.Append(Method).Append(' ').Append(Path).Append(" HTTP/1.1\r\n");
            head.Append("Host: ").Append(host).Append("\r\n");
            if (ApiKey is not null)
            {
                head.Append("Authorization: Bearer ").Append(ApiKey).Append("\r\n");
            }

            if (ContentType is not null)
            {
                var contentType = BoundaryInHeader is not null && Boundary is not null ? ContentType.Replace(Boundary, BoundaryInHeader, StringComparison.Ordinal) : ContentType;
                head.Append("Content-Type: ").Append(contentType).Append("\r\n");
            }

            if (Framing is Framing.ContentLength or Framing.Both)
            {
                head.Append("Content-Length: ").Append(DeclaredLength ?? Math.Max(0, body.Length + DeclaredExtra)).Append("\r\n");
            }

            if (Framing is Framing.Chunked or Framing.Both)
            {
                head.Append("Transfer-Encoding: chunked\r\n");
            }

            foreach (var (name, value) in Headers)
            {
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            head.Append("Connection: close\r\n\r\n");

            // UTF-8 for what a client would send as such; control characters go out as they are.
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(head.ToString()));
            if (!SendHeadOnly)
            {
                bytes.AddRange(Framing is Framing.Chunked or Framing.Both ? Chunk(body) : body);
            }

            if (CutAt is { } at)
            {
                SendLimit = Math.Max(1, (int)(bytes.Count * at));
                // Cut inside the head: Kestrel's to refuse.
                HeadLevel |= SendLimit < Encoding.UTF8.GetByteCount(head.ToString());
            }

            return [.. bytes];
        }

        private byte[] Chunk(byte[] body)
        {
            var chunked = new List<byte>();
            for (var offset = 0; offset < body.Length; offset += 4096)
            {
                var length = Math.Min(4096, body.Length - offset);
                chunked.AddRange(Encoding.ASCII.GetBytes((ChunkJunk ?? length.ToString("x", System.Globalization.CultureInfo.InvariantCulture)) + "\r\n"));
                chunked.AddRange(body.AsSpan(offset, length).ToArray());
                chunked.AddRange("\r\n"u8.ToArray());
            }

            chunked.AddRange("0\r\n\r\n"u8.ToArray());
            return [.. chunked];
        }

        private byte[] MultipartBody()
        {
            var boundary = BodyBoundary ?? Boundary!;
            var body = new List<byte>(Preamble);
            foreach (var part in Parts)
            {
                body.AddRange(Encoding.UTF8.GetBytes($"--{boundary}{LineEnding}{part.Headers.Replace("\r\n", LineEnding, StringComparison.Ordinal)}{LineEnding}{LineEnding}"));
                body.AddRange(part.Body);
                body.AddRange(Encoding.ASCII.GetBytes(LineEnding));
            }

            if (!NoCloseDelimiter)
            {
                body.AddRange(Encoding.ASCII.GetBytes($"--{boundary}--"));
                body.AddRange(Epilogue);
            }

            return [.. body];
        }

        private byte[] JsonBody()
        {
            if (RawJson is not null)
            {
                return Encoding.UTF8.GetBytes(RawJson);
            }

            var members = Json!.Select(f => (Encoding.UTF8.GetBytes(JsonValue.Of(f.Key).Text), Encoding.UTF8.GetBytes(f.Value.Text))).ToList();
            if (DuplicateKeys && members.Count > 0)
            {
                members.Add((members[0].Item1, "1"u8.ToArray()));
            }

            if (InvalidUtf8 is { } invalid && members.Count > 0)
            {
                // Inside the quotes of the first name or of the first string value.
                var (name, value) = members[0];
                members[0] = InvalidUtf8InName || value[0] != (byte)'"'
                    ? ([.. name[..^1], .. invalid, (byte)'"'], value)
                    : (name, [.. value[..^1], .. invalid, (byte)'"']);
            }

            static byte[] Object(IEnumerable<(byte[] Name, byte[] Value)> members) => [(byte)'{', .. Join(members), (byte)'}'];

            static byte[] Join(IEnumerable<(byte[] Name, byte[] Value)> members)
            {
                var joined = new List<byte>();
                foreach (var (name, value) in members)
                {
                    if (joined.Count > 0)
                    {
                        joined.Add((byte)',');
                    }

                    joined.AddRange(name);
                    joined.Add((byte)':');
                    joined.AddRange(value);
                }

                return [.. joined];
            }

            if (!DevRun)
            {
                return Object(members);
            }

            // /dev/run: provider and task at the top, everything else in "payload" (or not, as the shape says).
            var top = new List<(byte[], byte[])>
            {
                ("\"provider\""u8.ToArray(), "\"REPLICATE\""u8.ToArray()),
                ("\"task\""u8.ToArray(), "\"IMAGE_GENERATION\""u8.ToArray()),
            };
            var payload = DevRunShape switch
            {
                "flat" => null,
                "payload-array" => "[]"u8.ToArray(),
                "payload-string" => "\"payload\""u8.ToArray(),
                "payload-null" => "null"u8.ToArray(),
                "no-payload" => [],
                _ => Object(members),
            };
            if (DevRunShape == "flat")
            {
                top.AddRange(members);
            }
            else if (payload is { Length: > 0 })
            {
                top.Add(("\"payload\""u8.ToArray(), payload));
            }

            return Object(top);
        }
    }
}
