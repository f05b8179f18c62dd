using System.Buffers;
using System.Text.RegularExpressions;
using CinematicSwitch.Ingest.Api;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// Reads multipart/form-data section by section (never through the form buffering of ASP.NET Core): text fields
/// are read in full (they are small), the media section is streamed to S3 as it arrives.
/// </summary>
internal static partial class MultipartForm
{
    /// <summary>Room for the text fields, part headers and boundaries around the largest media.</summary>
    public const long FieldsAllowance = 1024 * 1024;

    private const int MaxFieldBytes = 64 * 1024;
    private const int MaxSections = 32;

    public static bool IsMultipart(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    public static async Task ReadAsync(HttpRequest request, IntakeSession session, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            throw Problems.UnsupportedContentType(request.ContentType);
        }

        try
        {
            await ReadSectionsAsync(request, boundary, session, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException || e.GetType() == typeof(IOException))
        {
            // The multipart reader's own refusals: a bad part header, a limit passed, the body ending before the closing
            // boundary (a plain IOException; the body's own read failures and the caller's disconnection arrive as
            // BadHttpRequestException and ConnectionResetException). Its messages quote the body: only the position is told.
            throw Problems.Media("The multipart/form-data body is malformed.", ("position", BodyProgress.ReadSoFar(request.HttpContext)));
        }
    }

    private static async Task ReadSectionsAsync(HttpRequest request, string boundary, IntakeSession session, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024, HeadersCountLimit = 16 };
        var sections = 0;
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (++sections > MaxSections)
            {
                throw Problems.InvalidValue("form", $"A request has at most {MaxSections} form fields.");
            }

            // (IsFormDisposition() means "form-data without a file name": file parts are checked separately.)
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition())
            {
                if (name != Fields.Media)
                {
                    // The field is named back only when it is a plain name: the message must not carry arbitrary text.
                    throw PlainName().IsMatch(name)
                        ? Problems.InvalidValue(name, $"Only one file is accepted, in the field '{Fields.Media}'.")
                        : Problems.Media($"Only one file is accepted, in the field '{Fields.Media}'.");
                }

                await session.UploadMediaAsync(section.Body, cancellationToken);
                continue;
            }

            var text = await ReadTextAsync(section.Body, name, cancellationToken);
            if (name == Fields.Media)
            {
                // A browser sends an empty, nameless part for a file input left empty: that is a missing file.
                if (text.Length > 0)
                {
                    throw Problems.Media("The media field must be a file upload.");
                }
            }
            else if (Fields.Known.Contains(name))
            {
                session.Fields.Set(name, FieldValue.FromText(text));
            }
        }

        // The epilogue after the closing boundary (normally a line break): read to the end, so that a refusal of a
        // complete form keeps the connection.
        await ReadTextAsync(request.Body, "epilogue", cancellationToken);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex PlainName();

    private static async Task<string> ReadTextAsync(Stream body, string name, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxFieldBytes + 1);
        try
        {
            var length = await body.ReadAtLeastAsync(buffer.AsMemory(0, MaxFieldBytes + 1), MaxFieldBytes + 1, throwOnEndOfStream: false, cancellationToken);
            if (length > MaxFieldBytes)
            {
                throw name is Fields.SceneDescription or Fields.Prompt
                    ? RequestValidator.DescriptionLengthProblem(name, null)
                    : Problems.InvalidValue(name, $"A form field is at most {MaxFieldBytes} bytes.");
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
