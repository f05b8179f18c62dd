using System.Globalization;
using System.Text;

namespace CinematicSwitch.Testing;

/// <summary>One sample of a scrape: a series (name and labels) and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A /metrics answer read as a Prometheus scraper reads the text exposition format (version 0.0.4): "# TYPE" and
/// "# HELP" lines, then samples <c>name{label="value",...} value [timestamp]</c>, label values escaped with backslashes.
/// A line that breaks the format, or a sample of no declared family, fails the parse.
/// </summary>
public sealed class PrometheusScrape
{
    private static readonly string[] Suffixes = ["_bucket", "_sum", "_count", "_total", "_created", "_info"];

    private PrometheusScrape(IReadOnlyDictionary<string, string> types, IReadOnlyList<PrometheusSample> samples)
    {
        Types = types;
        Samples = samples;
    }

    /// <summary>Metric family name to its type (counter, gauge, histogram, summary, untyped...).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>GETs <paramref name="url"/> as a scraper does (Accept: the text format) and parses the answer.</summary>
    public static async Task<PrometheusScrape> ReadAsync(HttpClient http, Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var contentType = response.Content.Headers.ContentType;
        if (contentType?.MediaType != "text/plain")
        {
            throw new FormatException($"/metrics answered {contentType}, not the text exposition format.");
        }

        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static PrometheusScrape Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 4 && parts[1] == "TYPE")
                {
                    types[parts[2]] = parts[3];
                }

                continue;
            }

            var sample = ParseSample(line);
            if (FamilyOf(sample.Name, types) is null)
            {
                throw new FormatException($"Sample of no declared family: {line}");
            }

            samples.Add(sample);
        }

        return new PrometheusScrape(types, samples);
    }

    /// <summary>The family a sample name belongs to (itself, or without a histogram's or counter's suffix).</summary>
    public static string? FamilyOf(string sample, IReadOnlyDictionary<string, string> types) =>
        types.ContainsKey(sample) ? sample
        : Suffixes.Where(sample.EndsWith).Select(s => sample[..^s.Length]).FirstOrDefault(types.ContainsKey);

    /// <summary>The samples named <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> Series(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    /// <summary>The sum over <see cref="Series"/>: 0 when there are none.</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) => Series(name, labels).Sum(s => s.Value);

    private static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        if (i == 0 || char.IsAsciiDigit(line[0]))
        {
            throw new FormatException($"No metric name: {line}");
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                if (line[++i] != '"')
                {
                    throw new FormatException($"Unquoted label value: {line}");
                }

                var value = new StringBuilder();
                for (i++; line[i] != '"'; i++)
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', var c => c });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }

                labels[label] = value.ToString();
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        var fields = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 1 or > 2)
        {
            throw new FormatException($"Expected a value and an optional timestamp: {line}");
        }

        return new PrometheusSample(name, labels, ParseValue(fields[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
