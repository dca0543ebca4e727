/**
 * A shared map's protocol: striped open-addressing tables of records, written under a stripe lock and read optimistically.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.map;
