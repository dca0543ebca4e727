package dev.multiproc.windows;

import dev.multiproc.NativeCallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The kernel32.dll calls multiproc makes on Windows. Handles are bound lazily, one holder
 * class per group, and each captures {@code GetLastError()} with
 * {@link Linker.Option#captureCallState}; a failure becomes a {@link NativeCallException}
 * naming the call, the object and the error. Names are passed as UTF-16 ({@code W} functions).
 * Nothing here is touched on other systems: the capture layout only has "GetLastError" on Windows.
 */
final class Kernel32 {
    static final int ERROR_FILE_NOT_FOUND = 2;
    static final int ERROR_ACCESS_DENIED = 5;
    static final int ERROR_INVALID_HANDLE = 6;
    static final int ERROR_ALREADY_EXISTS = 183;
    static final int WAIT_OBJECT_0 = 0;
    static final int WAIT_TIMEOUT = 0x102;
    static final int WAIT_FAILED = 0xFFFFFFFF;
    static final int INFINITE = 0xFFFFFFFF;

    private static final int PAGE_READWRITE = 0x04;
    private static final int FILE_MAP_ALL_ACCESS = 0xF001F;
    private static final int SEMAPHORE_ALL_ACCESS = 0x1F0003;
    private static final MemorySegment INVALID_HANDLE_VALUE = MemorySegment.ofAddress(-1L);

    private static final Linker LINKER = Linker.nativeLinker();

    private Kernel32() {
    }

    private static final class Binding {
        static final SymbolLookup KERNEL32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle LAST_ERROR = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
        static final ThreadLocal<MemorySegment> BUFFER = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

        static MethodHandle bind(String function, FunctionDescriptor descriptor) {
            MemorySegment address = KERNEL32.find(function)
                    .orElseThrow(() -> new UnsatisfiedLinkError("kernel32 function not found: " + function));
            return LINKER.downcallHandle(address, descriptor, Linker.Option.captureCallState("GetLastError"));
        }
    }

    private static MemorySegment callState() {
        return Binding.BUFFER.get();
    }

    private static int lastError(MemorySegment state) {
        return (int) Binding.LAST_ERROR.get(state, 0L);
    }

    static NativeCallException failure(String call, String objectName, int error) {
        return new NativeCallException(call, objectName, error, errorName(error), "see https://learn.microsoft.com/windows/win32/debug/system-error-codes");
    }

    private static String errorName(int error) {
        return switch (error) {
            case ERROR_FILE_NOT_FOUND -> "ERROR_FILE_NOT_FOUND";
            case ERROR_ACCESS_DENIED -> "ERROR_ACCESS_DENIED";
            case ERROR_INVALID_HANDLE -> "ERROR_INVALID_HANDLE";
            case ERROR_ALREADY_EXISTS -> "ERROR_ALREADY_EXISTS";
            default -> "error";
        };
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a native call", t);
    }

    private static MemorySegment wide(Arena arena, String text) {
        byte[] bytes = (text + "\0").getBytes(StandardCharsets.UTF_16LE);
        MemorySegment segment = arena.allocate(bytes.length, 2);
        segment.copyFrom(MemorySegment.ofArray(bytes));
        return segment;
    }

    /** A handle and the GetLastError() that came with it (ERROR_ALREADY_EXISTS tells "opened, not created"). */
    record HandleResult(MemorySegment handle, int lastError) {
    }

    // ------------------------------------------------------------------ file mappings

    private static final class Mappings {
        static final MethodHandle CREATE_FILE_MAPPING = Binding.bind("CreateFileMappingW",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        static final MethodHandle OPEN_FILE_MAPPING = Binding.bind("OpenFileMappingW",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        static final MethodHandle MAP_VIEW_OF_FILE = Binding.bind("MapViewOfFile",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        static final MethodHandle UNMAP_VIEW_OF_FILE = Binding.bind("UnmapViewOfFile", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle CLOSE_HANDLE = Binding.bind("CloseHandle", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle VIRTUAL_QUERY = Binding.bind("VirtualQuery",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    }

    /** {@code MEMORY_BASIC_INFORMATION} on 64-bit Windows: 48 bytes, {@code RegionSize} at byte 24. */
    private static final long MEMORY_BASIC_INFORMATION_SIZE = 48;
    private static final long REGION_SIZE_OFFSET = 24;

    /** The size of the view that starts at {@code view} (whole pages). */
    static long viewSize(MemorySegment view, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(MEMORY_BASIC_INFORMATION_SIZE, 8);
            MemorySegment state = callState();
            long written = (long) Mappings.VIRTUAL_QUERY.invokeExact(state, view, info, MEMORY_BASIC_INFORMATION_SIZE);
            if (written == 0) {
                throw failure("VirtualQuery", name, lastError(state));
            }
            return info.get(JAVA_LONG, REGION_SIZE_OFFSET);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A page-file-backed mapping of {@code size} bytes; check {@link HandleResult#lastError()} for ERROR_ALREADY_EXISTS. */
    static HandleResult createFileMapping(String name, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            MemorySegment handle = (MemorySegment) Mappings.CREATE_FILE_MAPPING.invokeExact(state, INVALID_HANDLE_VALUE,
                    MemorySegment.NULL, PAGE_READWRITE, (int) (size >>> 32), (int) size, wide(arena, name));
            int error = lastError(state);
            if (handle.address() == 0L) {
                throw failure("CreateFileMappingW", name, error);
            }
            return new HandleResult(handle, error);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment openFileMapping(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            MemorySegment handle = (MemorySegment) Mappings.OPEN_FILE_MAPPING.invokeExact(state, FILE_MAP_ALL_ACCESS, 0, wide(arena, name));
            if (handle.address() == 0L) {
                throw failure("OpenFileMappingW", name, lastError(state));
            }
            return handle;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Maps the whole object (size 0 maps all of it). */
    static MemorySegment mapViewOfFile(MemorySegment mapping, String name) {
        try {
            MemorySegment state = callState();
            MemorySegment view = (MemorySegment) Mappings.MAP_VIEW_OF_FILE.invokeExact(state, mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0L);
            if (view.address() == 0L) {
                throw failure("MapViewOfFile", name, lastError(state));
            }
            return view;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void unmapViewOfFile(MemorySegment view, String name) {
        try {
            MemorySegment state = callState();
            if ((int) Mappings.UNMAP_VIEW_OF_FILE.invokeExact(state, view) == 0) {
                throw failure("UnmapViewOfFile", name, lastError(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void closeHandle(MemorySegment handle, String name) {
        try {
            MemorySegment state = callState();
            if ((int) Mappings.CLOSE_HANDLE.invokeExact(state, handle) == 0) {
                throw failure("CloseHandle", name, lastError(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ semaphores and events

    private static final class Sync {
        static final MethodHandle CREATE_SEMAPHORE = Binding.bind("CreateSemaphoreW",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        static final MethodHandle OPEN_SEMAPHORE = Binding.bind("OpenSemaphoreW",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        static final MethodHandle RELEASE_SEMAPHORE = Binding.bind("ReleaseSemaphore",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        static final MethodHandle WAIT_FOR_SINGLE_OBJECT = Binding.bind("WaitForSingleObject",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle CREATE_EVENT = Binding.bind("CreateEventW",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        static final MethodHandle SET_EVENT = Binding.bind("SetEvent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    static HandleResult createSemaphore(String name, int initial, int maximum) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            MemorySegment handle = (MemorySegment) Sync.CREATE_SEMAPHORE.invokeExact(state, MemorySegment.NULL, initial, maximum,
                    wide(arena, name));
            int error = lastError(state);
            if (handle.address() == 0L) {
                throw failure("CreateSemaphoreW", name, error);
            }
            return new HandleResult(handle, error);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment openSemaphore(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            MemorySegment handle = (MemorySegment) Sync.OPEN_SEMAPHORE.invokeExact(state, SEMAPHORE_ALL_ACCESS, 0, wide(arena, name));
            if (handle.address() == 0L) {
                throw failure("OpenSemaphoreW", name, lastError(state));
            }
            return handle;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the count before the release */
    static int releaseSemaphore(MemorySegment semaphore, int count, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment previous = arena.allocate(JAVA_INT);
            MemorySegment state = callState();
            if ((int) Sync.RELEASE_SEMAPHORE.invokeExact(state, semaphore, count, previous) == 0) {
                throw failure("ReleaseSemaphore", name, lastError(state));
            }
            return previous.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return WAIT_OBJECT_0 or WAIT_TIMEOUT */
    static int waitForSingleObject(MemorySegment handle, int timeoutMillis, String name) {
        try {
            MemorySegment state = callState();
            int result = (int) Sync.WAIT_FOR_SINGLE_OBJECT.invokeExact(state, handle, timeoutMillis);
            if (result == WAIT_FAILED) {
                throw failure("WaitForSingleObject", name, lastError(state));
            }
            return result;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An auto-reset event, created or opened. */
    static HandleResult createEvent(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            MemorySegment handle = (MemorySegment) Sync.CREATE_EVENT.invokeExact(state, MemorySegment.NULL, 0, 0, wide(arena, name));
            int error = lastError(state);
            if (handle.address() == 0L) {
                throw failure("CreateEventW", name, error);
            }
            return new HandleResult(handle, error);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void setEvent(MemorySegment event, String name) {
        try {
            MemorySegment state = callState();
            if ((int) Sync.SET_EVENT.invokeExact(state, event) == 0) {
                throw failure("SetEvent", name, lastError(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
