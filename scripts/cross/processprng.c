/* bcryptprimitives.dll for Wine 8.0, which has none: Rust's std (1.78+) on Windows imports ProcessPrng
 * from it for HashMap keys and randomness, and without it every Rust program exits with code 53 before
 * main. This one-function stand-in fills the buffer from advapi32's RtlGenRandom (SystemFunction036).
 * Built and copied into the Wine prefix's system32 by scripts/cross-check; never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance; (void)reason; (void)reserved;
    return TRUE;
}
