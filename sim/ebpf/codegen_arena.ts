/**
 * The addr_space_cast instruction (ALU64 | MOV | X with off 1; imm = dst_as << 16 | src_as),
 * which converts between arena pointers as user space sees them (address space 1) and as
 * programs dereference them (address space 0). In the kernel the cast to 0 keeps the low 32
 * bits (the JIT adds the arena's kernel base at each access) and the cast to 1 puts back the
 * high half of the arena's user address unless the pointer is NULL. Here an arena pointer keeps
 * the user address's high half in both spaces (see maps/arena.ts), so both casts set it,
 * and NULL stays NULL.
 */

/** insn.off marking a MOV as addr_space_cast. */
export const ADDR_SPACE_CAST = 1;
/** imm of a cast to address space 0 from 1, and to 1 from 0. */
const TO_KERNEL = 1;
const TO_USER = 1 << 16;

/** The cast's JavaScript, or null when it is one the kernel refuses. */
export function addrSpaceCast(arenaHi: number, dst: number, src: number, imm: number): string | null {
  if (arenaHi === 0) return null;
  const dl = `r${dst}l`, dh = `r${dst}h`, sl = `r${src}l`, sh = `r${src}h`;
  switch (imm) {
    case TO_KERNEL: return `if(${sl}===0&&${sh}===0){${dl}=0;${dh}=0;}else{${dl}=${sl};${dh}=${arenaHi};}`;
    case TO_USER: return `${dl}=${sl};${dh}=${dl}===0?0:${arenaHi};`;
    default: return null;
  }
}

/** Why a cast is refused, as the verifier words it. */
export function addrSpaceCastRefusal(arenaHi: number, imm: number): string {
  if (arenaHi === 0) return "addr_space_cast in a program whose object has no arena";
  return `addr_space_cast from address space ${imm & 0xffff} to ${imm >>> 16}: only between 0 and 1`;
}
