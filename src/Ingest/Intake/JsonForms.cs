using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Api;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// The JSON request shapes: /dev/run's <c>{"provider", "task", "payload": {"image", "prompt", "model", "output_count",
/// "aspect_ratio", ...}}</c> and /generate/cinematic's flat <c>{"media", "scene_description", ...}</c>.
/// </summary>
internal sealed class JsonForms(JsonMedia jsonMedia)
{
    public static bool IsJson(HttpRequest request) => request.HasJsonContentType();

    /// <summary>POST /dev/run: top-level provider and task, everything else in "payload".</summary>
    public Task ReadDevRunAsync(HttpRequest request, IntakeSession session, CancellationToken cancellationToken) =>
        ReadAsync(request, session, root =>
        {
            Collect(root, session.Fields);
            if (root.TryGetProperty("payload", out var payload) && payload.ValueKind != JsonValueKind.Null)
            {
                if (payload.ValueKind != JsonValueKind.Object)
                {
                    throw Problems.InvalidValue("payload", "payload must be a JSON object.");
                }

                Collect(payload, session.Fields);
                return payload.TryGetProperty(Fields.Image, out var image) ? image : null;
            }

            return null;
        }, cancellationToken);

    /// <summary>POST /generate/cinematic with a JSON body: the spec's Inputs table, the media as base64, data: URI or URL.</summary>
    public Task ReadGenerateAsync(HttpRequest request, IntakeSession session, CancellationToken cancellationToken) =>
        ReadAsync(request, session, root =>
        {
            Collect(root, session.Fields);
            return root.TryGetProperty(Fields.Media, out var file) ? file : null;
        }, cancellationToken);

    private async Task ReadAsync(HttpRequest request, IntakeSession session, Func<JsonElement, JsonElement?> read, CancellationToken cancellationToken)
    {
        using var document = await ParseAsync(request, cancellationToken);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ApiException(Problems.Body(ApiErrors.InvalidInput, UserMessages.InvalidJson, 400, ("reason", "The body must be a JSON object.")));
        }

        CheckText(document);

        // Every field is known before the media is stored, so field errors never cost an upload (or a fetch).
        var media = read(document.RootElement);
        RequestValidator.CheckArrivedFields(session.Fields, session.Context.Contract);
        if (media is { ValueKind: not JsonValueKind.Null } file
            && !(file.ValueKind == JsonValueKind.String && file.ValueEquals(string.Empty)))
        {
            await jsonMedia.UploadAsync(file, session, cancellationToken);
        }
    }

    private static async Task<JsonDocument> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new ApiException(Problems.Body(ApiErrors.InvalidInput, UserMessages.InvalidJson, 400,
                ("reason", "The body could not be parsed as JSON."), ("line", e.LineNumber), ("position", e.BytePositionInLine)));
        }
    }

    /// <summary>
    /// The parser checks JSON's syntax, not the text inside its strings: invalid UTF-8, or an escaped lone surrogate
    /// ("\ud800"), would only fail when a name or value is read. Refused here, once for the whole body, by position.
    /// </summary>
    private static void CheckText(JsonDocument document)
    {
        var raw = JsonMarshal.GetRawUtf8Value(document.RootElement);
        if (!Utf8.IsValid(raw))
        {
            throw InvalidText(FirstInvalidByte(raw));
        }

        var reader = new Utf8JsonReader(raw);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw InvalidText(reader.TokenStartIndex);
                }
            }
        }
    }

    private static long FirstInvalidByte(ReadOnlySpan<byte> raw)
    {
        var index = 0;
        while (index < raw.Length && Rune.DecodeFromUtf8(raw[index..], out _, out var consumed) == OperationStatus.Done)
        {
            index += consumed;
        }

        return index;
    }

    private static ApiException InvalidText(long position) => new(Problems.Body(ApiErrors.InvalidInput, UserMessages.InvalidJson, 400,
        ("reason", "The body is not valid UTF-8, or a string in it escapes a lone surrogate."), ("position", position)));

    private static void Collect(JsonElement element, IntakeFields fields)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Fields.Known.Contains(property.Name))
            {
                fields.Set(property.Name, FieldValue.FromJson(property.Value));
            }
        }
    }
}
