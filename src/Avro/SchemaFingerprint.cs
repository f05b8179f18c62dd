using System.Security.Cryptography;
using System.Text;

namespace CinematicSwitch.Avro;

/// <summary>Schema fingerprints over the UTF-8 bytes of a Parsing Canonical Form.</summary>
public static class SchemaFingerprint
{
    /// <summary>The CRC-64-AVRO polynomial's empty value, as given in the specification.</summary>
    private const ulong Empty = 0xc15d213aa4d7a795UL;

    private static readonly ulong[] Table = BuildTable();

    /// <summary>CRC-64-AVRO (the Rabin fingerprint of the specification) of <paramref name="canonicalForm"/>.</summary>
    public static long Rabin64(string canonicalForm) => Rabin64(Encoding.UTF8.GetBytes(canonicalForm));

    public static long Rabin64(ReadOnlySpan<byte> data)
    {
        var fp = Empty;
        foreach (var b in data)
        {
            fp = (fp >> 8) ^ Table[(int)(fp ^ b) & 0xff];
        }

        return unchecked((long)fp);
    }

    public static byte[] Sha256(string canonicalForm) => SHA256.HashData(Encoding.UTF8.GetBytes(canonicalForm));

    /// <summary>MD5 is what the specification lists; it identifies schemas and is not used for security.</summary>
#pragma warning disable CA5351
    public static byte[] Md5(string canonicalForm) => MD5.HashData(Encoding.UTF8.GetBytes(canonicalForm));
#pragma warning restore CA5351

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var fp = (ulong)i;
            for (var j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (Empty & (0UL - (fp & 1)));
            }

            table[i] = fp;
        }

        return table;
    }
}
